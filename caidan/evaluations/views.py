"""Evaluation pages: the public results, an evaluation with its indicators, a provider's
track record, the phone-first satisfaction survey and its results; the purchaser's
commissioning page of a contract (evaluator, framework, stages, purchaser score, surveys
with their one-time tokens, hearings); the evaluator's tasks, scoring and publication; the
auditor's plans and findings (and the provider's rectification); standardisation
assessments and their confirmation by the registration authority.

Views are thin: parse a form, call one service or selector, render. Domain errors become
form errors or messages; permission problems the 403/404 pages (``domain_errors``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.middleware import client_ip
from caidan.accounts.models import Role, Unit
from caidan.accounts.permissions import can, require
from caidan.common.errors import (
    DomainError,
    NotAuthenticated,
    PermissionDenied,
)
from caidan.contracts import selectors as contract_selectors
from caidan.web.ui import attempt, attempt_error, domain_errors

from . import forms, selectors, services
from .formulas import FORMULAS
from .models import EvaluationStatus, FindingStatus, Stage
from .services import assessments as assessment_services
from .services import audit as audit_services
from .services import hearings as hearing_services
from .services.evaluations import evaluation_compute
from .services.frameworks import template_indicators
from .services.surveys import survey_get

# --- helpers ---------------------------------------------------------------------------------


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def _reraise(exc: DomainError) -> None:
    """Permission problems are pages (403 / login), not form errors."""
    if isinstance(exc, PermissionDenied | NotAuthenticated):
        raise exc


def _login_required(actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("请先登录。")


def _contract(request, pk: int):
    return contract_selectors.contract_get(pk=pk, actor=request.actor)


def _evaluation(request, pk: int):
    return selectors.evaluation_get(pk=pk, actor=request.actor)


def _survey_link(request, survey) -> str:
    return request.build_absolute_uri(reverse("evaluations:survey", args=[survey.slug]))


# --- public: results, one evaluation, track record ---------------------------------------------


@domain_errors
def evaluation_list(request):
    form = forms.ResultFilter(request.GET or None)
    stage = grade = search = ""
    if form.is_valid():
        d = form.cleaned_data
        stage, grade, search = d["stage"], d["grade"], d["q"]
    page = selectors.published_evaluations(
        stage=stage, grade=grade, search=search, cursor=request.GET.get("cursor") or None
    )
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "page": page,
            "form": form,
            "query": _query_without_cursor(request),
            "evaluator": request.actor.has_role(Role.EVALUATOR),
        },
    )


@domain_errors
def evaluation_detail(request, pk: int):
    actor = request.actor
    e = _evaluation(request, pk)
    c = e.contract
    published = e.status == EvaluationStatus.PUBLISHED
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "e": e,
            "c": c,
            "published": published,
            "rows": selectors.indicator_rows(e),
            "subjects": selectors.subject_rows(e) if published else [],
            "appointment": selectors.appointment_of(c),
            "hearings": selectors.hearings_of(c),
            "evaluating": can(actor, "evaluations.evaluate", c) and not published,
            "commissioning": can(actor, "evaluations.commission", c),
        },
    )


@domain_errors
def evaluation_report(request, pk: int):
    """The published evaluation report as a PDF (public)."""
    from django.http import Http404, HttpResponse

    from .pdf import evaluation_pdf

    e = _evaluation(request, pk)
    if e.status != EvaluationStatus.PUBLISHED:
        raise Http404
    response = HttpResponse(evaluation_pdf(e), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{e.contract.reference}-{e.stage}-report.pdf"'
    )
    return response


@domain_errors
def track_record(request, org_id: int):
    from caidan.orgs.selectors import organization_get

    org = organization_get(organization_id=org_id)
    return render(
        request,
        "evaluations/track_record.html",
        {"org": org, **selectors.track_record(org)},
    )


# --- the contract's evaluation page (purchaser; read-only for the others) ----------------------


def _contract_page(request, c, **bound):
    """Everything about a contract's evaluation. The public sees the evaluator, the
    published results and the hearings; the parties, the evaluator, the platform admin and
    auditors the rest; the purchaser the forms. ``bound`` holds a re-rendered bound form."""
    actor = request.actor
    commissioning = can(actor, "evaluations.commission", c)
    working = actor.is_authenticated and selectors.sees_evaluation_work(actor, c)
    signed = c.status in ("active", "completed")
    evaluations = selectors.evaluations_of(c)
    if not working:
        evaluations = [e for e in evaluations if e.status == EvaluationStatus.PUBLISHED]
    appointment = selectors.appointment_of(c)
    framework = selectors.framework_of(c) if working else None
    started = any(e.scores for e in evaluations)
    context = {
        "c": c,
        "working": working,
        "commissioning": commissioning,
        "evaluating": can(actor, "evaluations.evaluate", c),
        "performing": can(actor, "evaluations.respond", c),
        "signed": signed,
        "appointment": appointment,
        "framework": framework,
        "evaluations": evaluations,
        "hearings": selectors.hearings_of(c),
        "surveys": selectors.surveys_of(c) if working else [],
        "findings": selectors.findings_of_contract(c) if working else [],
        "today": timezone.localdate(),
    }
    if commissioning and signed:
        scheduled = {e.stage for e in evaluations}
        appoint_form = bound.get("appoint_form")
        if appoint_form is None and not started:
            appoint_form = forms.AppointForm(
                organizations=selectors.evaluator_organizations(),
                initial={"organization": appointment.organization_id if appointment else None},
            )
        schedule_form = bound.get("schedule_form")
        if schedule_form is None and appointment and len(scheduled) < len(Stage.values):
            schedule_form = forms.ScheduleForm(scheduled=scheduled)
        context.update(
            {
                "appoint_form": appoint_form,
                "schedule_form": schedule_form,
                "score_forms": {
                    e.pk: (
                        bound["score_form"]
                        if bound.get("score_evaluation") == e.pk
                        else forms.PurchaserScoreForm(initial={"score": e.purchaser_score or ""})
                    )
                    for e in evaluations
                    if e.status == EvaluationStatus.OPEN
                },
                "hearing_form": bound.get("hearing_form") or forms.HearingForm(),
                "follow_up_forms": {
                    h.pk: bound["follow_up_form"]
                    if bound.get("follow_up_hearing") == h.pk
                    else forms.FollowUpForm(initial={"follow_up": h.follow_up})
                    for h in context["hearings"]
                },
                "tokens_form": forms.TokensAddForm(),
            }
        )
    context["evaluation_rows"] = [
        (e, context.get("score_forms", {}).get(e.pk)) for e in evaluations
    ]
    context["hearing_rows"] = [
        (h, context.get("follow_up_forms", {}).get(h.pk)) for h in context["hearings"]
    ]
    return render(request, "evaluations/contract.html", context)


@domain_errors
def contract_evaluations(request, pk: int):
    return _contract_page(request, _contract(request, pk))


@require_POST
@login_required
@domain_errors
def evaluator_appoint(request, pk: int):
    actor = request.actor
    c = _contract(request, pk)
    require(actor, "evaluations.commission", c)
    form = forms.AppointForm(request.POST, organizations=selectors.evaluator_organizations())
    if form.is_valid():
        appointment, error = attempt(
            lambda: services.evaluator_appoint(
                contract=c, organization=form.cleaned_data["organization"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已委托“%(org)s”开展绩效评价，该机构将收到通知。")
                % {"org": appointment.organization.name},
            )
            return redirect("evaluations:contract", pk=c.pk)
    return _contract_page(request, c, appoint_form=form)


@require_POST
@login_required
@domain_errors
def evaluation_schedule(request, pk: int):
    actor = request.actor
    c = _contract(request, pk)
    require(actor, "evaluations.commission", c)
    form = forms.ScheduleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        e, error = attempt(
            lambda: services.evaluation_schedule(
                contract=c, stage=d["stage"], due_on=d["due_on"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已安排%(stage)s，应于 %(due)s 前完成；指标体系自此冻结。")
                % {"stage": e.get_stage_display(), "due": e.due_on.isoformat()},
            )
            return redirect("evaluations:contract", pk=c.pk)
    return _contract_page(request, c, schedule_form=form)


@require_POST
@login_required
@domain_errors
def purchaser_score(request, pk: int):
    actor = request.actor
    e = _evaluation(request, pk)
    c = e.contract
    require(actor, "evaluations.commission", c)
    form = forms.PurchaserScoreForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.evaluation_purchaser_score(
                evaluation=e, score=form.cleaned_data["score"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("购买方评分已保存。"))
            return redirect("evaluations:contract", pk=c.pk)
    return _contract_page(request, c, score_form=form, score_evaluation=e.pk)


@login_required
@domain_errors
def framework_edit(request, pk: int):
    """The project's indicators: editable by the purchaser until the first evaluation is
    scheduled (then frozen); shown to everyone working on the evaluation."""
    actor = request.actor
    c = _contract(request, pk)
    if not selectors.sees_evaluation_work(actor, c):
        require(actor, "evaluations.commission", c)  # 403 with the reason
    framework = selectors.framework_of(c)
    indicators = framework.indicators if framework else template_indicators()
    editable = can(actor, "evaluations.commission", c) and not (framework and framework.frozen_at)
    form = forms.FrameworkForm(request.POST or None, indicators=indicators)
    if request.method == "POST":
        require(actor, "evaluations.commission", c)
        if form.is_valid():
            try:
                framework = services.framework_for_contract(contract=c, actor=actor)
                services.framework_update(
                    framework=framework, indicators=form.cleaned_indicators(), actor=actor
                )
            except DomainError as exc:
                _reraise(exc)
                forms.add_domain_error(form, exc, aliases=form.error_aliases())
            else:
                messages.success(request, _("指标体系已保存。"))
                return redirect("evaluations:contract", pk=c.pk)
    return render(
        request,
        "evaluations/framework.html",
        {
            "c": c,
            "framework": framework,
            "form": form,
            "editable": editable,
            "formulas": FORMULAS,
        },
    )


# --- surveys (purchaser) ------------------------------------------------------------------------


def _tokens_page(request, survey, tokens):
    response = render(
        request,
        "evaluations/survey_tokens.html",
        {
            "survey": survey,
            "c": survey.contract,
            "tokens": tokens,
            "link": _survey_link(request, survey),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@domain_errors
def survey_new(request, pk: int):
    actor = request.actor
    c = _contract(request, pk)
    require(actor, "evaluations.commission", c)
    today = timezone.localdate()
    form = forms.SurveyForm(
        request.POST or None,
        initial={"title": f"{c.title}服务对象满意度调查", "opens_on": today, "tokens": 50},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        created, error = attempt(
            lambda: services.survey_create(
                contract=c,
                title=d["title"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
                tokens=d["tokens"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            survey, tokens = created
            return _tokens_page(request, survey, tokens)
    return render(request, "evaluations/survey_form.html", {"c": c, "form": form})


@require_POST
@login_required
@domain_errors
def survey_tokens_add(request, survey_id: int):
    actor = request.actor
    survey = selectors.survey_get(pk=survey_id)
    require(actor, "evaluations.commission", survey.contract)
    form = forms.TokensAddForm(request.POST)
    if form.is_valid():
        try:
            tokens = services.survey_tokens_add(
                survey=survey, count=form.cleaned_data["count"], actor=actor
            )
        except DomainError as exc:
            _reraise(exc)
            messages.error(request, exc.message)
        else:
            return _tokens_page(request, survey, tokens)
    else:
        messages.error(request, _("请填写 1 以上的整数作为增加的答卷码数量。"))
    return redirect("evaluations:contract", pk=survey.contract_id)


# --- the public survey (no login: the one-time token is the credential) -----------------------


@domain_errors
def survey_answer(request, slug: str):
    survey = survey_get(slug)
    today = timezone.localdate()
    is_open = survey.opens_on <= today <= survey.closes_on
    form = forms.SurveyAnswerForm(
        request.POST if request.method == "POST" else None, questions=survey.questions
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_respond(
                slug=slug,
                token=form.cleaned_data["token"],
                answers=form.answers(),
                comment=form.comment_text(),
                ip=client_ip(request),
            )
        except DomainError as exc:
            if exc.code == "used":
                form.add_error("token", exc.message)
            else:
                forms.add_domain_error(form, exc, aliases=form.error_aliases())
            status = 200
        else:
            return redirect("evaluations:survey_thanks", slug=slug)
    return render(
        request,
        "evaluations/survey.html",
        {"survey": survey, "form": form, "is_open": is_open, "today": today},
        status=status,
    )


@domain_errors
def survey_thanks(request, slug: str):
    return render(request, "evaluations/survey_thanks.html", {"survey": survey_get(slug)})


@domain_errors
def survey_results(request, slug: str):
    survey = survey_get(slug)
    results = services.survey_results(survey)
    questions = [
        {**q, "mean": results["per_question"].get(q["id"])}
        for q in survey.questions
        if q["kind"] == "likert"
    ]
    return render(
        request,
        "evaluations/survey_results.html",
        {"survey": survey, "c": survey.contract, "results": results, "questions": questions},
    )


# --- hearings (purchaser) -----------------------------------------------------------------------


@require_POST
@login_required
@domain_errors
def hearing_record(request, pk: int):
    actor = request.actor
    c = _contract(request, pk)
    require(actor, "evaluations.commission", c)
    form = forms.HearingForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: hearing_services.hearing_record(contract=c, actor=actor, **form.cleaned_data),
            form=form,
        )
        if error is None:
            messages.success(request, _("听证会已记录并公开，承接主体将收到听证意见。"))
            return redirect("evaluations:contract", pk=c.pk)
    return _contract_page(request, c, hearing_form=form)


@require_POST
@login_required
@domain_errors
def hearing_follow_up(request, pk: int, hearing_id: int):
    actor = request.actor
    c = _contract(request, pk)
    require(actor, "evaluations.commission", c)
    hearing = selectors.hearing_get(contract=c, pk=hearing_id)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: hearing_services.hearing_follow_up(
                hearing=hearing, follow_up=form.cleaned_data["follow_up"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("意见处理和落实情况已保存。"))
            return redirect("evaluations:contract", pk=c.pk)
    return _contract_page(request, c, follow_up_form=form, follow_up_hearing=hearing.pk)


# --- the evaluator ------------------------------------------------------------------------------


@login_required
@domain_errors
def my_evaluations(request):
    actor = request.actor
    require(actor, "evaluations.evaluate")
    return render(
        request,
        "evaluations/mine.html",
        {
            "tasks": selectors.evaluator_tasks(actor),
            "unscheduled": selectors.evaluator_contracts_unscheduled(actor),
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def evaluation_score(request, pk: int):
    actor = request.actor
    e = _evaluation(request, pk)
    require(actor, "evaluations.evaluate", e.contract)
    if e.status != EvaluationStatus.OPEN:
        messages.info(request, _("评价结果已公布，不能再修改。"))
        return redirect("evaluations:detail", pk=e.pk)
    rows = selectors.indicator_rows(e)
    form = forms.ScoreForm(request.POST or None, rows=rows, initial={"summary": e.summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_score(
                evaluation=e,
                scores=form.scores(),
                summary=form.cleaned_data["summary"],
                actor=actor,
            )
        except DomainError as exc:
            _reraise(exc)
            forms.add_domain_error(form, exc, aliases=form.error_aliases())
        else:
            messages.success(request, _("评分已保存。全部指标评分并填写评价结论后即可公布。"))
            return redirect("evaluations:score", pk=e.pk)
    return render(
        request,
        "evaluations/score.html",
        {
            "e": e,
            "c": e.contract,
            "form": form,
            "rows": rows,
            "missing": [r for r in rows if r["missing"]],
        },
    )


@login_required
@domain_errors
def evaluation_publish(request, pk: int):
    """A confirmation showing the total and grade that will be published (or what is
    missing); publishing is irreversible and takes effect at once."""
    actor = request.actor
    e = _evaluation(request, pk)
    require(actor, "evaluations.evaluate", e.contract)
    if e.status != EvaluationStatus.OPEN:
        messages.info(request, _("评价结果已公布。"))
        return redirect("evaluations:detail", pk=e.pk)
    error = None
    if request.method == "POST":
        published, error = attempt(lambda: services.evaluation_publish(evaluation=e, actor=actor))
        if error is None:
            messages.success(
                request,
                _("%(stage)s结果已公布：综合得分 %(total)s，等级“%(grade)s”。")
                % {
                    "stage": published.get_stage_display(),
                    "total": published.total,
                    "grade": published.get_grade_display(),
                },
            )
            return redirect("evaluations:detail", pk=published.pk)
    preview, reasons = None, []
    try:
        preview = evaluation_compute(e)
    except DomainError as exc:
        reasons.append(exc.message)
    missing = [r for r in selectors.indicator_rows(e) if r["missing"]]
    if not (e.summary or "").strip():
        reasons.append(str(_("请先在评分页填写评价结论。")))
    facts = [
        (_("项目"), e.contract.title),
        (_("承接主体"), e.contract.organization.name),
        (_("评价阶段"), e.get_stage_display()),
    ]
    subjects = []
    if preview:
        from .models import Grade

        facts += [
            (_("第三方指标得分"), preview["evaluator_score"]),
            (_("综合得分"), preview["total"]),
            (_("等级"), Grade(preview["grade"]).label),
        ]
        e.evaluator_score = preview["evaluator_score"]
        e.recipients_score = preview["recipients_score"]
        subjects = selectors.subject_rows(e, weights=preview["subject_weights"])
    return render(
        request,
        "evaluations/publish.html",
        {
            "e": e,
            "c": e.contract,
            "facts": facts,
            "preview": preview,
            "subjects": subjects,
            "reasons": reasons,
            "missing": missing,
            "error": error,
            "can_submit": preview is not None and not reasons,
        },
    )


# --- audit --------------------------------------------------------------------------------------


@login_required
@domain_errors
def audit_index(request):
    require(request.actor, "evaluations.audit")
    plans = selectors.audit_plans()
    return render(
        request,
        "evaluations/audit_index.html",
        {
            "plan_rows": [(p, audit_services.audit_coverage(p)) for p in plans[:50]],
            "findings": selectors.findings_open(),
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def audit_plan_edit(request):
    """Pick a unit and year (GET), then tick the contracts to audit (POST)."""
    actor = request.actor
    require(actor, "evaluations.audit")
    units = Unit.objects.order_by("path")
    source = request.POST if request.method == "POST" else request.GET
    pick = forms.AuditPlanPickForm(
        source if {"unit", "year"} & set(source) else None,
        units=units,
        initial={"year": timezone.localdate().year},
    )
    form = plan = None
    if pick.is_bound and pick.is_valid():
        unit, year = pick.cleaned_data["unit"], pick.cleaned_data["year"]
        plan = selectors.audit_plan_for(unit, year)
        contracts = list(
            audit_services.unit_year_contracts(unit, year)
            .select_related("organization")
            .order_by("reference")[:500]
        )
        initial = {
            "contracts": [str(pk) for pk in plan.contracts.values_list("pk", flat=True)]
            if plan
            else [],
            "note": plan.note if plan else "",
        }
        form = forms.AuditPlanForm(
            request.POST if request.method == "POST" else None,
            contracts=contracts,
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            saved, error = attempt(
                lambda: audit_services.audit_plan_set(
                    year=year,
                    unit=unit,
                    contracts=[int(pk) for pk in form.cleaned_data["contracts"]],
                    note=form.cleaned_data["note"],
                    actor=actor,
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("审计计划已保存，相关合同双方将收到通知。"))
                return redirect("evaluations:audit_plan", plan_id=saved.pk)
    return render(
        request, "evaluations/audit_plan_form.html", {"pick": pick, "form": form, "plan": plan}
    )


def _plan_page(request, plan, *, finding_form=None):
    contracts = list(plan.contracts.select_related("organization", "unit").order_by("reference"))
    return render(
        request,
        "evaluations/audit_plan.html",
        {
            "plan": plan,
            "coverage": audit_services.audit_coverage(plan),
            "contracts": contracts,
            "findings": selectors.findings_of_plan(plan),
            "finding_form": finding_form or forms.FindingForm(contracts=contracts),
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def audit_plan(request, plan_id: int):
    require(request.actor, "evaluations.audit")
    return _plan_page(request, selectors.audit_plan_get(pk=plan_id))


@require_POST
@login_required
@domain_errors
def audit_finding_record(request, plan_id: int):
    actor = request.actor
    require(actor, "evaluations.audit")
    plan = selectors.audit_plan_get(pk=plan_id)
    contracts = list(plan.contracts.select_related("organization").order_by("reference"))
    form = forms.FindingForm(request.POST, contracts=contracts)
    if form.is_valid():
        d = form.cleaned_data
        contract = next(c for c in contracts if str(c.pk) == d["contract"])
        finding, error = attempt(
            lambda: audit_services.audit_finding_record(
                plan=plan,
                contract=contract,
                description=d["description"],
                rectify_by=d["rectify_by"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("审计发现已记录，合同双方将收到整改通知。"))
            return redirect("evaluations:finding", finding_id=finding.pk)
    return _plan_page(request, plan, finding_form=form)


def _finding_page(request, finding, *, response_form=None, close_form=None):
    actor = request.actor
    responding = can(actor, "evaluations.respond", finding.contract)
    closing = can(actor, "evaluations.audit", finding)
    open_ = finding.status != FindingStatus.CLOSED
    return render(
        request,
        "evaluations/finding.html",
        {
            "f": finding,
            "c": finding.contract,
            "auditor": actor.has_role(Role.AUDITOR),
            "response_form": (
                response_form or forms.FindingResponseForm(initial={"response": finding.response})
            )
            if responding and open_
            else None,
            "close_form": (close_form or forms.FindingCloseForm())
            if closing and finding.status == FindingStatus.RESPONDED
            else None,
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def audit_finding(request, finding_id: int):
    return _finding_page(request, selectors.finding_get_for(pk=finding_id, actor=request.actor))


@require_POST
@login_required
@domain_errors
def audit_finding_respond(request, finding_id: int):
    actor = request.actor
    finding = selectors.finding_get_for(pk=finding_id, actor=actor)
    require(actor, "evaluations.respond", finding.contract)
    form = forms.FindingResponseForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: audit_services.audit_finding_respond(
                finding=finding, response=form.cleaned_data["response"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("整改情况已报送，等待审计销号。"))
            return redirect("evaluations:finding", finding_id=finding.pk)
    return _finding_page(request, finding, response_form=form)


@require_POST
@login_required
@domain_errors
def audit_finding_close(request, finding_id: int):
    actor = request.actor
    finding = selectors.finding_get_for(pk=finding_id, actor=actor)
    require(actor, "evaluations.audit", finding)
    form = forms.FindingCloseForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: audit_services.audit_finding_close(
                finding=finding, note=form.cleaned_data["note"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("审计发现已整改销号。"))
            return redirect("evaluations:finding", finding_id=finding.pk)
    return _finding_page(request, finding, close_form=form)


# --- standardisation assessments ---------------------------------------------------------------


@login_required
@domain_errors
def assessment_list(request):
    actor = request.actor
    if not actor.has_role(
        Role.EVALUATOR, Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN, Role.PROVIDER, Role.HUB
    ):
        require(actor, "evaluations.confirm_assessments")  # 403 with the roles
    return render(
        request,
        "evaluations/assessment_list.html",
        {
            "assessments": selectors.assessments_for(actor),
            "assessing": can(actor, "evaluations.assess_orgs", actor.organization)
            if actor.organization
            else False,
            "confirming": can(actor, "evaluations.confirm_assessments"),
        },
    )


@login_required
@domain_errors
def assessment_new(request):
    actor = request.actor
    if actor.organization is None:
        require(actor, "evaluations.assess_orgs")
    require(actor, "evaluations.assess_orgs", actor.organization)
    orgs = selectors.assessable_organizations().exclude(pk=actor.organization.pk)
    form = forms.AssessmentForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        a, error = attempt(
            lambda: assessment_services.assessment_submit(
                organization=d["organization"],
                score=d["score"],
                proposed_level=d["proposed_level"],
                report=d["report"],
                assessed_on=d["assessed_on"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("评估结果已提交，等待登记管理机关确认。"))
            return redirect("evaluations:assessment", pk=a.pk)
    return render(request, "evaluations/assessment_form.html", {"form": form})


def _assessment_page(request, a, *, form=None):
    actor = request.actor
    deciding = can(actor, "evaluations.confirm_assessments", a) and a.status == "submitted"
    return render(
        request,
        "evaluations/assessment_detail.html",
        {
            "a": a,
            "form": (form or forms.AssessmentDecisionForm()) if deciding else None,
        },
    )


@login_required
@domain_errors
def assessment_detail(request, pk: int):
    return _assessment_page(request, selectors.assessment_get_for(pk=pk, actor=request.actor))


@require_POST
@login_required
@domain_errors
def assessment_decide(request, pk: int):
    actor = request.actor
    a = selectors.assessment_get_for(pk=pk, actor=actor)
    require(actor, "evaluations.confirm_assessments", a)
    form = forms.AssessmentDecisionForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"]
        error = attempt_error(
            lambda: assessment_services.assessment_decide(
                assessment=a, confirm=confirm, note=form.cleaned_data["note"], actor=actor
            ),
            form=form,
        )
        if error is None:
            if confirm:
                messages.success(
                    request,
                    _("已确认，%(org)s的等级登记为 %(level)sA。")
                    % {"org": a.organization.name, "level": a.proposed_level},
                )
            else:
                messages.success(request, _("已不予确认，评估机构将收到理由。"))
            return redirect("evaluations:assessment", pk=a.pk)
    return _assessment_page(request, a, form=form)
