"""Domain errors: one family, mapped once to JSON by the API and to form errors by the UI."""

from __future__ import annotations

import pytest
from django import forms

from caidan.common.errors import (
    Conflict,
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationError,
    field_error,
    form_add_error,
)

EVENTS = "/api/v1/audit/events"


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (DomainError, 400, "invalid"),
        (ValidationError, 400, "invalid"),
        (NotAuthenticated, 401, "not_authenticated"),
        (PermissionDenied, 403, "permission_denied"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (TooManyRequests, 429, "too_many_requests"),
    ],
)
def test_status_and_default_code(cls, status, code):
    err = cls("出错了")
    assert isinstance(err, DomainError)
    assert err.status_code == status
    assert err.code == code
    assert err.message == str(err) == "出错了"
    assert err.detail == {}
    assert err.field is None
    assert err.as_dict() == {"code": code, "message": "出错了", "detail": {}}
    assert repr(err) == f"{cls.__name__}(code={code!r}, message='出错了')"


def test_custom_code_and_detail():
    err = Conflict("状态不对", code="wrong_state", detail={"state": "draft"})
    assert err.as_dict() == {
        "code": "wrong_state",
        "message": "状态不对",
        "detail": {"state": "draft"},
    }


def test_field_error_names_the_field():
    err = field_error("budget", "预算不能为负数。", code="negative")
    assert isinstance(err, ValidationError)
    assert err.field == "budget"
    assert err.as_dict() == {
        "code": "negative",
        "message": "预算不能为负数。",
        "detail": {"field": "budget"},
    }


# --- form_add_error -----------------------------------------------------------------------


class ProjectForm(forms.Form):
    name = forms.CharField()
    budget = forms.CharField()


def _bound_form():
    form = ProjectForm({"name": "社区养老", "budget": "100"})
    assert form.is_valid()
    return form


def test_form_add_error_on_named_field():
    form = _bound_form()
    form_add_error(form, field_error("budget", "预算超过上限。"))
    assert not form.is_valid()
    assert form.errors["budget"] == ["预算超过上限。"]
    assert form.non_field_errors() == []
    assert "budget" not in form.cleaned_data


def test_form_add_error_unknown_field_goes_to_non_field_errors():
    form = _bound_form()
    form_add_error(form, field_error("uscc", "统一社会信用代码无效。"))
    assert form.non_field_errors() == ["统一社会信用代码无效。"]
    assert "uscc" not in form.errors


def test_form_add_error_without_field():
    form = _bound_form()
    form_add_error(form, Conflict("项目已发布，不能修改。"))
    assert form.non_field_errors() == ["项目已发布，不能修改。"]


def test_form_add_error_lists_every_item():
    form = _bound_form()
    error = ValidationError(
        "导入失败：2 行有误。",
        detail={
            "errors": [
                {"row": 2, "message": "第 2 行金额无效"},
                {"row": 5, "message": "第 5 行缺少名称"},
            ]
        },
    )
    form_add_error(form, error)
    assert form.non_field_errors() == ["导入失败：2 行有误。", "第 2 行金额无效", "第 5 行缺少名称"]


# --- the API maps errors once ----------------------------------------------------------------


def _assert_error_body(resp, status, code):
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_api_anonymous_is_401(client, db):
    _assert_error_body(client.get(EVENTS), 401, "not_authenticated")


def test_api_bad_token_is_401(client, db):
    resp = client.get(EVENTS, HTTP_AUTHORIZATION="Bearer cd_not-a-real-token")
    _assert_error_body(resp, 401, "not_authenticated")


def test_api_wrong_role_is_403(login):
    body = _assert_error_body(login("resident").get(EVENTS), 403, "permission_denied")
    assert "审计" in body["message"] or "需要" in body["message"]
    assert sorted(body["detail"]["required_roles"]) == body["detail"]["required_roles"]


def test_api_wrong_role_by_token_is_403(client, token_for):
    resp = client.get(EVENTS, **token_for("resident"))
    _assert_error_body(resp, 403, "permission_denied")


def test_api_unparsable_query_param_is_400_naming_it(login):
    body = _assert_error_body(login("admin").get(EVENTS, {"limit": "abc"}), 400, "invalid")
    assert body["detail"]["field"] == "limit"
    assert body["detail"]["errors"][0]["field"] == "limit"
    assert "limit" in body["message"]


def test_api_domain_validation_error_is_400_naming_it(login):
    client = login("admin")
    for limit in (1000, 0, -1, 101):
        body = _assert_error_body(client.get(EVENTS, {"limit": limit}), 400, "invalid")
        assert body["detail"] == {"field": "limit"}
        assert "100" in body["message"]


def test_api_bad_datetime_is_400_naming_it(login):
    body = _assert_error_body(login("admin").get(EVENTS, {"since": "yesterday"}), 400, "invalid")
    assert body["detail"]["field"] == "since"


def test_api_bad_cursor_is_400_naming_it(login):
    body = _assert_error_body(login("admin").get(EVENTS, {"cursor": "%%%"}), 400, "invalid")
    assert body["detail"] == {"field": "cursor"}


def test_api_unknown_path_is_404(login):
    client = login("admin")
    assert client.get("/api/v1/no-such-endpoint").status_code == 404
    assert client.get("/api/v1/audit/no-such-endpoint").status_code == 404
