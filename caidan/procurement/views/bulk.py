"""Bulk expert draws from the tender list (issue 19 §6): confirm, then per-tender results."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.bulk import bulk_page
from caidan.web.ui import domain_errors

from .. import services


@login_required
@domain_errors
def bulk_draw(request):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_MANAGE)
    return bulk_page(
        request,
        title=_("批量抽取评审专家"),
        action_label=_("确认，逐项抽取"),
        back_url=reverse("procurement:list") + "?status=evaluating",
        load=lambda ids: services.tenders_for_bulk(ids=ids, actor=actor),
        describe=lambda t: (
            services.tender_label(t),
            _("随机抽取评审委员会 %(n)s 人及备选专家 %(r)s 人")
            % {"n": t.committee_size, "r": t.reserve_count},
        ),
        run=lambda ids, d: services.panels_draw_bulk(ids=ids, actor=actor),
    )
