"""The community worker's counter (窗口代办, issue 21): register a resident after seeing the
ID card, then order from a menu or state a need on the resident's behalf. Thin: forms →
``services.assisted``; the counter reference lives in the worker's session only."""

from __future__ import annotations

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from . import forms, selectors, services
from .inputs import CounterRegistrationInput, IdentityCodeInput, IdentityInput, NeedInput
from .models import IdentityKind
from .views import verify_first

SESSION_REF = "needs_counter_ref"


class CounterForm(djforms.Form):
    id_number = djforms.CharField(
        label=_("身份证号"),
        max_length=32,
        help_text=_("请先查看居民的身份证原件，再输入 18 位身份证号。号码只保存加密摘要。"),
        widget=djforms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = djforms.CharField(
        label=_("手机号（选填）"),
        max_length=20,
        required=False,
        help_text=_("居民有手机的，发送验证码并由居民告知，手机号与身份证号即关联为同一人。"),
        widget=djforms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    phone_code = djforms.CharField(
        label=_("手机验证码"),
        max_length=6,
        required=False,
        widget=djforms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


def _resident(request):
    """The resident being helped (from the session), or None when none / expired."""
    ref = request.session.get(SESSION_REF, "")
    if not ref:
        return None
    resident, error = attempt_refusal(
        lambda: services.counter_resident(ref=ref, actor=request.actor), pages=()
    )
    if error is not None:
        request.session.pop(SESSION_REF, None)
        messages.warning(request, error.message)
        return None
    return resident


@login_required
@domain_errors
def counter(request):
    require(request.actor, Perm.NEEDS_ASSIST)
    form = CounterForm(request.POST or None)
    demo_code = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "send_code":
            challenge, error = attempt(
                lambda: services.counter_phone_code_send(
                    phone=data["phone"], actor=request.actor, ip=request.actor.ip or ""
                ),
                form=form,
            )
            if error is None:
                demo_code = challenge.demo_code
                messages.info(
                    request,
                    _("验证码已发送至 %(hint)s，请居民告知验证码。") % {"hint": challenge.hint},
                )
        else:
            resident, error = attempt(
                lambda: services.resident_register_at_counter(
                    data=CounterRegistrationInput.parse(
                        id_number=data["id_number"], phone=data["phone"]
                    ),
                    phone_code=data["phone_code"],
                    actor=request.actor,
                    ip=request.actor.ip or "",
                ),
                form=form,
            )
            if error is None:
                request.session[SESSION_REF] = resident.ref
                messages.success(
                    request,
                    _("已登记新居民，可代为点菜或提出需求。")
                    if resident.created
                    else _("已找到该居民，可代为点菜或提出需求。"),
                )
                return redirect("needs:counter")
    resident = _resident(request)
    return render(
        request,
        "needs/counter.html",
        {
            "form": form,
            "demo_code": demo_code,
            "resident": resident,
            "items": selectors.counter_menu_items(
                actor=request.actor, identity=resident.identity if resident else None
            )
            if resident
            else [],
            "recent": selectors.counter_recent(actor=request.actor, limit=10),
        },
    )


@require_POST
@login_required
@domain_errors
def counter_order(request):
    require(request.actor, Perm.NEEDS_ASSIST)
    resident = _resident(request)
    if resident is None:
        return redirect("needs:counter")
    try:
        item_id = int(request.POST.get("item_id", ""))
    except ValueError:
        item_id = 0
    item = selectors.menu_item_get_for(actor=request.actor, item_id=item_id)
    error = attempt_error(
        lambda: services.menu_order_place_assisted(
            ref=resident.ref, menu_item=item, actor=request.actor
        )
    )
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, _("已代居民支持“%(title)s”。") % {"title": item.title})
    return redirect("needs:counter")


@login_required
@domain_errors
def counter_need(request):
    require(request.actor, Perm.NEEDS_ASSIST)
    resident = _resident(request)
    if resident is None:
        return redirect("needs:counter")
    form = forms.NeedForm(request.POST or None)
    unit = request.actor.unit
    if unit is not None:
        form.fields["unit"].queryset = form.fields["unit"].queryset.filter(
            path__startswith=unit.path
        )
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.need_submit_assisted(
                ref=resident.ref,
                actor=request.actor,
                data=NeedInput.parse(form.cleaned_data),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已代居民提出需求，公开时标注“代办”，不显示居民信息。"))
            return redirect("needs:counter")
    return render(request, "needs/counter_need.html", {"form": form, "resident": resident})


@require_POST
@login_required
@domain_errors
def counter_end(request):
    require(request.actor, Perm.NEEDS_ASSIST)
    request.session.pop(SESSION_REF, None)
    messages.info(request, _("已结束本次代办。"))
    return redirect("needs:counter")


# --- a resident links their other number (the gateway path) ------------------------------


class LinkForm(djforms.Form):
    kind = djforms.ChoiceField(
        label=_("要关联的号码"), choices=IdentityKind.choices, widget=djforms.RadioSelect
    )
    value = djforms.CharField(label=_("手机号或身份证号"), max_length=32)
    code = djforms.CharField(
        label=_("验证码"),
        max_length=6,
        required=False,
        help_text=_("先点“发送验证码”，再填写收到的 6 位验证码。"),
        widget=djforms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@domain_errors
@verify_first
def identity_link(request):
    """A verified resident adds their other number with the code sent to it (an ID number's
    code goes through the gateway to the phone registered for it): one person from then on."""
    identity = services.identity_of(request.actor, Perm.NEEDS_SUBMIT)
    have = set(identity.keys.values_list("kind", flat=True)) or {identity.kind}
    missing = [c for c in IdentityKind.choices if c[0] not in have]
    form = LinkForm(request.POST or None, initial={"kind": missing[0][0] if missing else ""})
    form.fields["kind"].choices = missing or IdentityKind.choices
    demo_code = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "send_code":
            challenge, error = attempt(
                lambda: services.identity_verification_start(
                    ip=request.actor.ip or "",
                    data=IdentityInput.parse(kind=data["kind"], value=data["value"]),
                ),
                form=form,
            )
            if error is None:
                demo_code = challenge.demo_code
                messages.info(request, _("验证码已发送至 %(hint)s。") % {"hint": challenge.hint})
        else:
            _linked, error = attempt(
                lambda: services.identity_link_confirm(
                    actor=request.actor,
                    ip=request.actor.ip or "",
                    data=IdentityCodeInput.parse(
                        kind=data["kind"], value=data["value"], code=data["code"]
                    ),
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("已关联为同一人：以任一号码参与都只计一次。"))
                return redirect("needs:mine")
    return render(
        request,
        "needs/identity_link.html",
        {"form": form, "demo_code": demo_code, "missing": missing, "identity": identity},
    )
