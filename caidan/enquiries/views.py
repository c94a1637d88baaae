"""Pages: residents and providers ask and follow up (mobile-first), anyone may report
(anonymously, with a follow-up code), officers handle their unit's inbox, and the public
reads published answers and statistics. Thin: forms → services."""

from __future__ import annotations

from django import forms as djforms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from caidan.accounts.models import Unit, User
from caidan.accounts.permissions import can
from caidan.common.errors import NotAuthenticated, NotFound, PermissionDenied, form_add_error
from caidan.common.perms import Perm
from caidan.documents.responses import document_file_response
from caidan.web.bulk import bulk_page
from caidan.web.ui import attempt, attempt_refusal, domain_errors

from . import forms, selectors, services
from .inputs import (
    EnquiryAnswerInput,
    EnquiryCloseInput,
    EnquiryExtendInput,
    EnquiryHideInput,
    EnquiryInput,
    EnquiryRestoreInput,
    EnquiryTransferInput,
)
from .lifecycles import enquiry_lifecycle
from .models import PUBLISHABLE_KINDS, EnquiryKind, SubjectType
from .permissions import is_asker


def _verify_redirect(request):
    back = request.get_full_path()
    return redirect(reverse("needs:verify") + "?" + urlencode({"next": back}))


def index(request):
    return render(request, "enquiries/index.html")


def _subject_from_query(request, actor):
    """(subject_type, subject_id, label) given in the query string, e.g. from a menu item."""
    st = request.GET.get("subject_type") or request.POST.get("subject_type") or ""
    sid = request.GET.get("subject_id") or request.POST.get("subject_id") or ""
    if not st or st == SubjectType.UNIT:
        return None
    from .subjects import resolve_subject

    subject = resolve_subject(subject_type=st, subject_id=sid, actor=actor)
    return subject


@domain_errors
def enquiry_new(request):
    """Ask an enquiry or suggestion, or request government information."""
    actor = request.actor
    if not actor.is_authenticated:
        return _verify_redirect(request)
    subject = _subject_from_query(request, actor)
    initial = {"kind": request.GET.get("kind") or EnquiryKind.ENQUIRY}
    form = forms.EnquiryForm(
        request.POST or None, request.FILES or None, initial=initial, with_unit=subject is None
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submitted, refusal = attempt_refusal(
            lambda: services.enquiry_submit(
                actor=actor,
                ip=actor.ip,
                data=EnquiryInput.parse(
                    kind=data["kind"],
                    subject_type=subject.type if subject else SubjectType.UNIT,
                    subject_id=subject.id if subject else data["unit"].pk,
                    title=data["title"],
                    body=data["body"],
                    publish_consent=data["publish_consent"],
                    files=[data["attachment"]] if data.get("attachment") else [],
                ),
            ),
            pages=(),
        )
        if isinstance(refusal, NotAuthenticated) or (
            refusal is not None
            and refusal.status_code == 403
            and refusal.code == "identity_required"
        ):
            return _verify_redirect(request)
        if refusal is not None:
            form_add_error(form, refusal)
            status = refusal.status_code
        else:
            e, _code = submitted
            messages.success(
                request,
                _("已受理，请在“我的咨询”中查看办理进展。答复期限：%(due)s")
                % {"due": e.due_on.isoformat()},
            )
            return redirect("enquiries:detail", enquiry_id=e.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "enquiries/enquiry_form.html",
        {"form": form, "subject": subject},
        status=status,
    )


def report_new(request):
    """A supervision report (举报): to the finance bureau; anonymous allowed."""
    actor = request.actor
    initial = {
        "subject_type": request.GET.get("subject_type") or SubjectType.PROJECT,
        "subject_id": request.GET.get("subject_id") or None,
    }
    form = forms.ReportForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        authenticated=actor.is_authenticated,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submitted, refusal = attempt_refusal(
            lambda: services.enquiry_submit(
                actor=actor,
                ip=actor.ip,
                data=EnquiryInput.parse(
                    kind=EnquiryKind.REPORT,
                    subject_type=data["subject_type"],
                    subject_id=data.get("subject_id"),
                    official=data.get("official", ""),
                    unit_id=data["unit"].pk if data.get("unit") else None,
                    title=data["title"],
                    body=data["body"],
                    anonymous=data.get("anonymous") or not actor.is_authenticated,
                    files=[data["attachment"]] if data.get("attachment") else [],
                ),
            ),
            form=form,
            pages=(),
        )
        if refusal is not None:
            status = refusal.status_code
        else:
            e, code = submitted
            return render(
                request,
                "enquiries/report_received.html",
                {"enquiry": e, "code": code},
                status=201,
            )
    elif request.method == "POST":
        status = 400
    return render(request, "enquiries/report_form.html", {"form": form}, status=status)


@domain_errors
def mine(request):
    if not request.actor.is_authenticated:
        return _verify_redirect(request)
    page = selectors.enquiry_list_mine(
        actor=request.actor, cursor=request.GET.get("cursor") or None
    )
    return render(request, "enquiries/mine.html", {"page": page})


def follow(request):
    """An anonymous reporter checks progress with the follow-up code."""
    form = forms.FollowForm(request.POST or None)
    enquiry = None
    status = 200
    if request.method == "POST" and form.is_valid():
        enquiry, refusal = attempt_refusal(
            lambda: selectors.enquiry_get_by_code(code=form.cleaned_data["code"]),
            form=form,
            pages=(),
        )
        if refusal is not None:
            status = refusal.status_code
    return render(
        request, "enquiries/follow.html", {"form": form, "enquiry": enquiry}, status=status
    )


@domain_errors
def public_list(request):
    q = request.GET.get("q", "")

    def run():
        return selectors.enquiry_list_public(
            unit_id=request.GET.get("unit") or None, q=q, cursor=request.GET.get("cursor") or None
        )

    page, error = attempt(run)
    if error is not None:
        messages.error(request, error)
        q, page = "", selectors.enquiry_list_public()
    return render(request, "enquiries/public_list.html", {"page": page, "q": q})


@domain_errors
def public_detail(request, enquiry_id: int):
    e = selectors.enquiry_get_public(enquiry_id=enquiry_id)
    return render(request, "enquiries/public_detail.html", {"e": e})


@domain_errors
def statistics(request):
    year = request.GET.get("year") or None
    try:
        year = int(year) if year else None
    except ValueError:
        year = None
    rows = selectors.enquiry_statistics(year=year)
    return render(request, "enquiries/statistics.html", {"rows": rows, "year": year})


@domain_errors
def inbox(request):
    g = request.GET
    page = selectors.enquiry_list_for(
        actor=request.actor,
        status=g.get("status", ""),
        kind=g.get("kind", ""),
        overdue=g.get("overdue") == "1",
        cursor=g.get("cursor") or None,
    )
    query = g.copy()
    query.pop("cursor", None)
    today = timezone.localdate()
    rows = [(e, e.is_overdue(today), selectors.asker_display(request.actor, e)) for e in page.items]
    return render(
        request,
        "enquiries/inbox.html",
        {
            "page": page,
            "rows": rows,
            "status": g.get("status", ""),
            "kind": g.get("kind", ""),
            "overdue": g.get("overdue") == "1",
            "query": query.urlencode(),
            "kinds": EnquiryKind.choices,
            "can_bulk": can(request.actor, Perm.ENQUIRIES_HANDLE),
        },
    )


def _detail_context(request, e):
    actor = request.actor
    handles = can(actor, Perm.ENQUIRIES_HANDLE, e)
    user_pk = getattr(actor.user, "pk", None)
    today = timezone.localdate()
    return {
        "e": e,
        "asker": selectors.asker_display(actor, e),
        "is_asker": is_asker(actor, e),
        "handles": handles,
        "is_handler": bool(user_pk and e.handler_id == user_pk),
        "overdue": e.is_overdue(today),
        "can_assign": handles and enquiry_lifecycle.allowed(e.status, "assign"),
        "can_answer": handles
        and enquiry_lifecycle.allowed(e.status, "answer")
        and e.handler_id == user_pk,
        "can_transfer": handles and enquiry_lifecycle.allowed(e.status, "transfer"),
        "can_close": handles and enquiry_lifecycle.allowed(e.status, "close"),
        "can_extend": handles
        and e.kind == EnquiryKind.INFO_REQUEST
        and e.extended_due_on is None
        and enquiry_lifecycle.allowed(e.status, "extend"),
        "can_publish": handles
        and e.kind in PUBLISHABLE_KINDS
        and e.publish_consent
        and not e.published
        and not e.hidden
        and enquiry_lifecycle.allowed(e.status, "publish"),
        "handlers": selectors.handler_choices(e) if handles else [],
        "units": Unit.objects.order_by("path") if handles else [],
        "attachments": list(e.attachments.order_by("id")),
        "subject_url": selectors.subject_url(e),
        "publishable": e.kind in PUBLISHABLE_KINDS,
        # one answer box: whoever may take the item on (nobody has) or is its handler
        "can_reply": handles
        and (
            (enquiry_lifecycle.allowed(e.status, "answer") and e.handler_id == user_pk)
            or (enquiry_lifecycle.allowed(e.status, "assign") and e.handler_id is None)
        ),
        "reply_may_publish": e.kind in PUBLISHABLE_KINDS and e.publish_consent and not e.hidden,
    }


@domain_errors
def detail(request, enquiry_id: int):
    if not request.actor.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    e = selectors.enquiry_get_for(actor=request.actor, enquiry_id=enquiry_id)
    return render(request, "enquiries/detail.html", _detail_context(request, e))


ACTIONS = {
    "reply",
    "assign",
    "take",
    "answer",
    "transfer",
    "close",
    "extend",
    "publish",
    "hide",
    "restore",
    "consent",
}
DONE = {
    "reply": _l("已答复，提出人会收到通知。"),
    "reply_published": _l("已答复并公开，提出人会收到通知。"),
    "assign": _l("已指定承办人。"),
    "take": _l("已由您承办。"),
    "answer": _l("已答复，提出人会收到通知。"),
    "transfer": _l("已转办。"),
    "close": _l("已办结。"),
    "extend": _l("答复期限已延长。"),
    "publish": _l("答复已公开。"),
    "hide": _l("已屏蔽。"),
    "restore": _l("已恢复。"),
    "consent": _l("已保存您的选择。"),
}


@require_POST
@domain_errors
def act(request, enquiry_id: int, action: str):
    actor = request.actor
    if not actor.is_authenticated:
        raise NotAuthenticated(_l("请先登录。"))
    if action not in ACTIONS:
        raise NotFound(_l("找不到该操作。"))
    e = selectors.enquiry_get_for(actor=actor, enquiry_id=enquiry_id)
    p = request.POST
    outcome: dict[str, bool] = {}

    def run() -> None:
        if action == "take":
            services.enquiry_assign(enquiry=e, handler=actor.user, actor=actor)
        elif action == "assign":
            handler = (
                User.objects.filter(pk=p.get("handler") or 0).first()
                if (p.get("handler") or "").isdigit()
                else None
            )
            services.enquiry_assign(enquiry=e, handler=handler, actor=actor)
        elif action == "answer":
            services.enquiry_answer(
                enquiry=e, actor=actor, data=EnquiryAnswerInput.parse(answer=p.get("answer", ""))
            )
        elif action == "transfer":
            unit_id = p.get("unit") or ""
            unit = Unit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
            services.enquiry_transfer(
                enquiry=e,
                actor=actor,
                data=EnquiryTransferInput.parse(to_unit=unit, reason=p.get("reason", "")),
            )
        elif action == "close":
            services.enquiry_close(
                enquiry=e, actor=actor, data=EnquiryCloseInput.parse(reason=p.get("reason", ""))
            )
        elif action == "extend":
            services.enquiry_extend(
                enquiry=e,
                actor=actor,
                data=EnquiryExtendInput.parse(days=p.get("days"), reason=p.get("reason", "")),
            )
        elif action == "reply":
            replied = services.enquiry_reply(
                enquiry=e,
                actor=actor,
                data=EnquiryAnswerInput.parse(answer=p.get("answer", "")),
                publish=p.get("publish") == "1",
            )
            outcome["published"] = replied.published
        elif action == "publish":
            services.enquiry_publish(enquiry=e, actor=actor)
        elif action == "hide":
            services.enquiry_hide(
                enquiry=e, actor=actor, data=EnquiryHideInput.parse(reason=p.get("reason", ""))
            )
        elif action == "restore":
            services.enquiry_restore(
                enquiry=e, actor=actor, data=EnquiryRestoreInput.parse(reason=p.get("reason", ""))
            )
        elif action == "consent":
            services.enquiry_set_consent(enquiry=e, consent=p.get("consent") == "1", actor=actor)

    # a refused step is a message on the page; who may not see or handle it gets a page
    _, refusal = attempt_refusal(run, pages=(NotAuthenticated, PermissionDenied, NotFound))
    if refusal is not None:
        messages.error(request, refusal.message)
    else:
        messages.success(request, DONE["reply_published" if outcome.get("published") else action])
    return redirect("enquiries:detail", enquiry_id=e.pk)


@domain_errors
def attachment(request, enquiry_id: int, attachment_id: int):
    if not request.actor.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    e = selectors.enquiry_get_for(actor=request.actor, enquiry_id=enquiry_id)
    a = e.attachments.filter(pk=attachment_id).first()
    if a is None:
        raise NotFound(_l("找不到该附件。"))
    return document_file_response(a)


class BulkAnswerForm(djforms.Form):
    answer = djforms.CharField(
        label=_l("答复（同一答复发给所选各项）"), widget=djforms.Textarea, max_length=10000
    )


@domain_errors
def bulk_answer(request):
    """Answer several similar items with one text: confirm, then per-item results."""
    actor = request.actor
    if not actor.is_authenticated:
        raise NotAuthenticated(_l("请先登录。"))
    from caidan.accounts.permissions import require

    require(actor, Perm.ENQUIRIES_HANDLE)
    return bulk_page(
        request,
        title=_("批量答复"),
        action_label=_("确认，逐项答复"),
        back_url=reverse("enquiries:inbox"),
        load=lambda ids: services.enquiries_for_bulk(ids=ids, actor=actor),
        describe=lambda e: (
            services.enquiry_label(e),
            _("答复（尚无承办人的，先由您承办）") if e.handler_id is None else _("答复"),
        ),
        run=lambda ids, d: services.enquiries_answer_bulk(ids=ids, answer=d["answer"], actor=actor),
        form_class=BulkAnswerForm,
    )
