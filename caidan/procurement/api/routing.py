"""The procurement router and what its handlers share: who is asking, the tender they ask
about, and the references in request bodies."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router

from caidan.accounts.api_auth import optional_actor
from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.perms import Perm

from .. import selectors
from ..models import Tender

router = Router(tags=["procurement 政府采购"])


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime without an offset is read as local time (Asia/Shanghai)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


def public_actor(request):
    """Who asks a public endpoint: the token or session when sent, else anonymous."""
    return optional_actor(request)


def tender_for(actor, tender_id: int) -> Tender:
    return selectors.tender_get_for(actor=actor, tender_id=tender_id)


def organization_ref(pk: int | None, field: str):
    """The organization a body names by id (400 naming ``field`` when there is none)."""
    if pk is None:
        return None
    org = selectors.organization_by_id(pk)
    if org is None:
        raise field_error(field, _("找不到该社会组织。"))
    return org


def acting_org(actor):
    """The organization a provider/hub acts for; 401/403 for anyone else."""
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    return actor.organization
