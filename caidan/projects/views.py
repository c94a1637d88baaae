"""Project library pages: the public annual plan, proposals, review sessions, ceilings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role, Unit, User
from caidan.accounts.permissions import can, require
from caidan.common.errors import ValidationError, field_error
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from . import forms, selectors, services
from .gaps import unmet_for
from .inputs import ProposalInput
from .models import Proposal, ProposalStatus
from .progress import project_progress
from .services.ceilings import ceiling_rooms


def _refusal_message(refusal):
    """A refusal as a page message; a ceiling refusal links to the page where the ceiling is
    raised (its ``detail["raise_url"]``) instead of printing the address."""
    url = refusal.detail.get("raise_url")
    if not url or url not in refusal.message:
        return refusal.message
    before, _sep, after = refusal.message.partition(url)  # "…（url）。" in either language
    return format_html(
        '{}：<a href="{}" data-testid="raise-ceiling">{}</a>{}',
        before.rstrip(" （(:："),
        url,
        _("预算控制数页面"),
        after.lstrip("）) "),
    )


# A proposal still to be decided meets the ceiling: its page says whether it fits.
WAITING_FOR_ROOM = (
    ProposalStatus.DRAFT,
    ProposalStatus.RETURNED,
    ProposalStatus.SUBMITTED,
    ProposalStatus.UNDER_REVIEW,
)


def _room_of(rooms, p):
    return rooms.get((p.unit_id, p.year))


def plan(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isascii() and year.isdigit() else None
    page = selectors.annual_plan(
        year=year, search=request.GET.get("q", ""), cursor=request.GET.get("cursor") or None
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "projects/plan.html",
        {
            "page": page,
            "totals": selectors.annual_totals(),
            "year": year,
            "q": request.GET.get("q", ""),
            "query": query.urlencode(),
        },
    )


def _items():
    from caidan.catalog.models import CatalogItem

    return (
        CatalogItem.objects.select_related("version")
        .filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
    )


def _current_items():
    from caidan.catalog.selectors import catalog_current

    version = catalog_current()
    qs = _items()
    return qs.filter(version=version) if version else qs


@login_required
@domain_errors
def proposal_list(request):
    status = request.GET.get("status", "")
    page = selectors.proposal_list_for(
        actor=request.actor,
        status=status,
        search=request.GET.get("q", ""),
        cursor=request.GET.get("cursor") or None,
    )
    return render(
        request,
        "projects/proposal_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ProposalStatus.choices,
            "can_draft": can(request.actor, Perm.PROJECTS_DRAFT_FOR_UNIT)
            or can(request.actor, Perm.PROJECTS_DRAFT_AS_ORGANIZATION),
        },
    )


def _initial_from_sources(request):
    """Prefill a new proposal from a menu item or a need ("turn the top item into a
    proposal") — only from sources of a unit this person may draft for."""
    from caidan.needs.models import MenuItem, Need, NeedStatus

    initial, links = {}, {"menu_items": [], "needs": []}
    menu_item_id = request.GET.get("menu_item") or request.POST.get("menu_item")
    need_id = request.GET.get("need") or request.POST.get("need")
    if menu_item_id and menu_item_id.isdigit():
        mi = (
            MenuItem.objects.select_related("menu", "menu__unit", "catalog_item")
            .filter(pk=menu_item_id)
            .first()
        )
        if mi and can(request.actor, Perm.PROJECTS_DRAFT_FOR_UNIT, mi.menu.unit):
            links["menu_items"] = [mi]
            initial.update(
                title=f"{mi.menu.community}{mi.title}",
                catalog_item=str(mi.catalog_item_id),
                description=mi.description,
            )
            if mi.estimated_budget:
                initial.update(budget=mi.estimated_budget, fiscal=mi.estimated_budget)
    if need_id and need_id.isdigit():
        need = (
            Need.objects.select_related("unit")
            .filter(pk=need_id, status=NeedStatus.VISIBLE)
            .first()
        )
        if need and can(request.actor, Perm.PROJECTS_DRAFT_FOR_UNIT, need.unit):
            links["needs"] = [need]
            initial.setdefault("description", need.text)
            initial.setdefault("target_groups", [need.get_target_group_display()])
    today = timezone.localdate()
    initial.setdefault("period_start", today.replace(month=1, day=1).replace(year=today.year + 1))
    initial.setdefault("period_end", today.replace(month=12, day=31).replace(year=today.year + 1))
    return initial, links


@login_required
@domain_errors
def proposal_new(request):
    actor = request.actor
    as_org = actor.has_role(Role.PROVIDER, Role.HUB)
    if not as_org:
        require(actor, Perm.PROJECTS_DRAFT_FOR_UNIT)
    units = (
        [actor.unit]
        if actor.has_role(Role.PURCHASER)
        else list(Unit.objects.filter(kind__in=["street", "town", "department"]).order_by("path"))
    )
    initial, links = _initial_from_sources(request)
    form = forms.ProposalForm(request.POST or None, initial=initial, items=_current_items())
    if request.method == "POST" and form.is_valid():
        from caidan.catalog.models import CatalogItem

        unit_id = request.POST.get("unit") or (units[0].pk if units else None)
        unit = next((u for u in units if str(u.pk) == str(unit_id)), None)

        def create():
            if unit is None:
                raise field_error("unit", gettext_lazy("请选择购买主体。"))
            data = form.service_data()
            data["catalog_item"] = CatalogItem.objects.select_related("version").get(
                pk=form.cleaned_data["catalog_item"]
            )
            return services.proposal_create(
                actor=actor,
                unit=unit,
                proposing_organization=actor.organization if as_org else None,
                data=ProposalInput.parse(
                    data, needs=links["needs"], menu_items=links["menu_items"]
                ),
            )

        proposal, error = attempt(create, form=form)
        if error is None:
            messages.success(request, _("草稿已保存。检查无误后请点击“申报”。"))
            return redirect("projects:proposal", proposal_id=proposal.pk)
    return render(
        request,
        "projects/proposal_form.html",
        {"form": form, "units": units, "links": links, "proposal": None},
    )


@login_required
@domain_errors
def proposal_edit(request, proposal_id: int):
    proposal = selectors.proposal_get_for(actor=request.actor, proposal_id=proposal_id)
    require(request.actor, Perm.PROJECTS_EDIT, proposal)
    funding = {f.source: f.amount for f in proposal.funding.all()}
    initial = {
        **{
            f: getattr(proposal, f)
            for f in (
                "title",
                "description",
                "service_targets",
                "target_groups",
                "scale",
                "scale_unit",
                "budget",
                "period_start",
                "period_end",
                "stability_justification",
                "purchase_mode",
                "procurement_method",
                "grade_policy",
                "required_fields",
                "require_experience",
            )
        },
        "catalog_item": str(proposal.catalog_item_id),
        "outputs": proposal.outputs,
        "outcomes": proposal.outcomes,
        **funding,
    }
    items = _items().filter(pk=proposal.catalog_item_id) | _current_items()
    form = forms.ProposalForm(request.POST or None, initial=initial, items=items.distinct())
    if request.method == "POST" and form.is_valid():
        from caidan.catalog.models import CatalogItem

        def update():
            data = form.service_data()
            data["catalog_item"] = CatalogItem.objects.select_related("version").get(
                pk=form.cleaned_data["catalog_item"]
            )
            services.proposal_update(proposal=proposal, changes=data, actor=request.actor)

        error = attempt_error(update, form=form)
        if error is None:
            messages.success(request, _("已保存。"))
            return redirect("projects:proposal", proposal_id=proposal.pk)
    return render(
        request,
        "projects/proposal_form.html",
        {"form": form, "units": [proposal.unit], "links": None, "proposal": proposal},
    )


def proposal_detail(request, proposal_id: int):
    # Not domain_errors: whoever is not logged in is sent to log in, even for a proposal that
    # does not exist, so the public cannot tell a draft from a missing one.
    proposal, refusal = attempt_refusal(
        lambda: selectors.proposal_get_for(actor=request.actor, proposal_id=proposal_id),
        pages=(),
    )
    if refusal is not None:
        if not request.actor.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        template = "404.html" if refusal.status_code == 404 else "web/403.html"
        return render(request, template, {"error": refusal}, status=refusal.status_code)
    can_edit = can(request.actor, Perm.PROJECTS_EDIT, proposal)
    progress = project_progress(proposal)
    room = None
    if request.actor.is_authenticated and proposal.status in WAITING_FOR_ROOM:
        room = ceiling_rooms({(proposal.unit, proposal.year)})[(proposal.unit_id, proposal.year)]
    return render(
        request,
        "projects/proposal_detail.html",
        {
            "p": proposal,
            "can_edit": can_edit,
            "progress": progress.rows,
            "ocid": progress.ocid,
            "history": selectors.proposal_history(proposal, actor=request.actor),
            "usage": selectors.budget_usage(unit=proposal.unit, year=proposal.year)
            if request.actor.is_authenticated
            else None,
            "agenda": proposal.agenda_items.select_related("session").order_by("id"),
            "room": room,
            "short_of_room": room is not None and not room.fits(proposal.budget),
        },
    )


@require_POST
@login_required
@domain_errors
def proposal_action(request, proposal_id: int, action: str):
    proposal = selectors.proposal_get_for(actor=request.actor, proposal_id=proposal_id)

    def act() -> None:
        if action == "submit":
            services.proposal_submit(proposal=proposal, actor=request.actor)
            messages.success(request, _("已申报，等待审定委员会列入议程。"))
        elif action == "withdraw":
            services.proposal_withdraw(
                proposal=proposal, reason=request.POST.get("reason", ""), actor=request.actor
            )
            messages.success(request, _("已撤回。"))

    # a reader who may not act on the proposal is told so on its page, not sent to a 403 page
    _done, refusal = attempt_refusal(act, pages=())
    if refusal is not None:
        messages.error(request, _refusal_message(refusal))
    return redirect("projects:proposal", proposal_id=proposal.pk)


def _posted_int(request, name: str) -> int:
    """An id from the posted form; anything else is refused as a bad request."""
    try:
        return int(request.POST.get(name, "0"))
    except ValueError:
        raise ValidationError(gettext_lazy("请求无效。")) from None


def _committee_users(unit):
    return (
        User.objects.filter(
            memberships__role=Role.COMMITTEE_MEMBER,
            memberships__is_active=True,
            memberships__unit__path__in=[
                unit.path[: i + 1] for i in range(len(unit.path)) if unit.path[i] == "/"
            ],
            is_active=True,
        )
        .distinct()
        .order_by("id")
    )


@login_required
@domain_errors
def session_list(request):
    sessions = selectors.session_list(actor=request.actor, cursor=request.GET.get("cursor") or None)
    district = Unit.objects.filter(parent__isnull=True).order_by("id").first()
    members = list(_committee_users(district)) if district else []
    form = forms.SessionForm(request.POST or None, members=members)
    if request.method == "POST":
        require(request.actor, Perm.PROJECTS_ORGANIZE_REVIEW)
        if form.is_valid():
            session, error = attempt(
                lambda: services.review_session_create(
                    title=form.cleaned_data["title"],
                    unit=district,
                    meeting_at=form.cleaned_data["meeting_at"],
                    members=[m for m in members if str(m.pk) in form.cleaned_data["members"]],
                    actor=request.actor,
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("会议已创建，请安排议程。"))
                return redirect("projects:session", session_id=session.pk)
    return render(
        request,
        "projects/session_list.html",
        {
            "sessions": sessions,
            "form": form,
            "can_organize": can(request.actor, Perm.PROJECTS_ORGANIZE_REVIEW),
        },
    )


@login_required
@domain_errors
def session_detail(request, session_id: int):
    session = selectors.session_get_for(actor=request.actor, session_id=session_id)
    agenda = selectors.session_agenda(session, actor=request.actor)
    waiting = (
        Proposal.objects.filter(
            status=ProposalStatus.SUBMITTED, unit__path__startswith=session.unit.path
        )
        .select_related("unit")
        .order_by("submitted_at")[:200]
    )
    pending = [a["item"].proposal for a in agenda if a["item"].decision == "pending"]
    waiting = list(waiting)
    rooms = ceiling_rooms({(p.unit, p.year) for p in [*pending, *waiting]})
    for p in [*pending, *waiting]:
        p.room = _room_of(rooms, p)
        p.short_of_room = not p.room.fits(p.budget)
    return render(
        request,
        "projects/session_detail.html",
        {
            "session": session,
            "agenda": agenda,
            "waiting": waiting,
            "members": session.members.all(),
            "is_member": session.members.filter(pk=request.user.pk).exists()
            and request.actor.has_role(Role.COMMITTEE_MEMBER),
            "can_organize": can(request.actor, Perm.PROJECTS_ORGANIZE_REVIEW),
        },
    )


@require_POST
@login_required
@domain_errors
def session_action(request, session_id: int, action: str):
    session = selectors.session_get_for(actor=request.actor, session_id=session_id)

    def act() -> None:
        if action == "add":
            proposal = selectors.proposal_get_for(
                actor=request.actor, proposal_id=_posted_int(request, "proposal_id")
            )
            services.review_session_add_proposal(
                session=session, proposal=proposal, actor=request.actor
            )
            messages.success(request, _("已列入议程：%(title)s") % {"title": proposal.title})
        elif action == "open":
            services.review_session_open(session=session, actor=request.actor)
            messages.success(request, _("表决开始。"))
        elif action == "close":
            services.review_session_close(session=session, actor=request.actor)
            messages.success(request, _("会议已结束。"))
        elif action in ("vote", "recuse", "decide", "remove"):
            item = selectors.agenda_item_get_for(
                actor=request.actor, item_id=_posted_int(request, "item_id")
            )
            if action == "vote":
                services.vote_cast(
                    item=item,
                    choice=request.POST.get("choice", ""),
                    comment=request.POST.get("comment", ""),
                    actor=request.actor,
                )
                messages.success(request, _("您的表决已记录。"))
            elif action == "recuse":
                services.recusal_declare(
                    item=item, reason=request.POST.get("reason", ""), actor=request.actor
                )
                messages.success(request, _("已声明回避。"))
            elif action == "remove":
                services.review_session_remove_proposal(
                    item=item, reason=request.POST.get("reason", ""), actor=request.actor
                )
                messages.success(request, _("已移出议程。"))
            else:
                item = services.agenda_item_decide(
                    item=item,
                    if_not_approved=request.POST.get("if_not_approved", "reject"),
                    reason=request.POST.get("reason", ""),
                    actor=request.actor,
                )
                messages.success(
                    request, _("审定结果：%(decision)s") % {"decision": item.get_decision_display()}
                )

    # any refusal, a missing permission too, is shown on the session's page
    _done, refusal = attempt_refusal(act, pages=())
    if refusal is not None:
        messages.error(request, _refusal_message(refusal))
    return redirect("projects:session", session_id=session.pk)


@login_required
@domain_errors
def ceilings(request):
    require(request.actor, Perm.PROJECTS_SET_CEILING)
    units = list(Unit.objects.exclude(kind="district").order_by("path"))
    initial = {"year": timezone.localdate().year + 1}
    asked = request.GET.get("year") or ""
    if asked.isascii() and asked.isdigit():  # linked from a refusal: the year in question
        initial["year"] = int(asked)
    if any(str(u.pk) == request.GET.get("unit") for u in units):
        initial["unit"] = request.GET["unit"]
    form = forms.CeilingForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if str(u.pk) == form.cleaned_data["unit"])
        error = attempt_error(
            lambda: services.budget_ceiling_set(
                unit=unit,
                year=form.cleaned_data["year"],
                amount=str(form.cleaned_data["amount"]),
                actor=request.actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("预算控制数已保存。"))
            return redirect("projects:ceilings")
    page = selectors.ceilings_list(cursor=request.GET.get("cursor") or None)
    # each unit's unmet demand of the year before (registered by stats: projects/gaps.py)
    year = int(initial["year"])
    pairs = {(r["ceiling"].unit_id, r["ceiling"].year) for r in page.items}
    unmet = unmet_for(pairs | {(u.pk, year) for u in units})
    for r in page.items:
        r["unmet"] = unmet.get((r["ceiling"].unit_id, r["ceiling"].year))
    demand = [(u, unmet[(u.pk, year)]) for u in units if unmet.get((u.pk, year), {}).get("demand")]
    return render(
        request,
        "projects/ceilings.html",
        {"page": page, "form": form, "demand": demand, "demand_year": year - 1},
    )
