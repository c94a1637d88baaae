"""Views run services through ``caidan.web.ui`` (issue 17 §4), never their own handlers.

* The source is walked: no ``except`` clause in a view module (every ``views.py`` and every
  module of a ``views/`` package under ``caidan/``) names ``DomainError`` or one of its
  subclasses. A view calls ``attempt``/``attempt_error`` (the message, on the form),
  ``attempt_refusal`` (the refusal itself: status code, code, error rows) or lets
  ``domain_errors`` turn a refusal into a page.
* The helpers themselves: what they catch, what they leave to ``domain_errors``, and that a
  refusal lands on the form field it names.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django import forms

from caidan.common import errors
from caidan.web.ui import attempt, attempt_error, attempt_refusal

ROOT = Path(__file__).resolve().parents[2]
CAIDAN = ROOT / "caidan"

# The refusal family, as caidan.common.errors defines it: DomainError and its subclasses.
REFUSALS = frozenset(
    name
    for name, value in vars(errors).items()
    if inspect.isclass(value) and issubclass(value, errors.DomainError)
)


def view_modules() -> list[Path]:
    return sorted(
        path
        for path in CAIDAN.rglob("*.py")
        if "migrations" not in path.parts
        and (path.name == "views.py" or "views" in path.relative_to(CAIDAN).parts[:-1])
    )


def _local_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> refusal class, for names imported from caidan.common.errors (aliases
    included); ``errors.X`` attribute access is matched on the attribute."""
    names = {name: name for name in REFUSALS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "caidan.common.errors":
            for alias in node.names:
                if alias.name in REFUSALS:
                    names[alias.asname or alias.name] = alias.name
    return names


def caught_refusals(source: str, filename: str = "<views>") -> list[tuple[int, str]]:
    """(line, class) for every except clause that names a refusal class."""
    tree = ast.parse(source, filename=filename)
    names = _local_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        for t in types:
            if isinstance(t, ast.Attribute) and t.attr in REFUSALS:
                found.append((node.lineno, t.attr))
            elif isinstance(t, ast.Name) and t.id in names:
                found.append((node.lineno, names[t.id]))
    return found


def test_the_walk_sees_every_view_module():
    modules = {str(p.relative_to(ROOT)) for p in view_modules()}
    assert {"caidan/needs/views.py", "caidan/accounts/views.py"} <= modules
    assert not any(m.startswith("caidan/web/ui") for m in modules)
    assert {"DomainError", "Conflict", "ValidationError", "NotFound"} <= REFUSALS
    assert {"PermissionDenied", "NotAuthenticated", "TooManyRequests"} <= REFUSALS


def test_the_walk_finds_handlers_however_they_are_written():
    source = """
from caidan.common import errors
from caidan.common.errors import Conflict as Busy, DomainError, NotFound

def view():
    try: pass
    except DomainError: pass
    try: pass
    except (ValueError, Busy) as exc: pass
    try: pass
    except errors.PermissionDenied: pass
    try: pass
    except NotFound: pass
    try: pass
    except (KeyError, ValueError): pass
    try: pass
    except: pass
"""
    assert caught_refusals(source) == [
        (7, "DomainError"),
        (9, "Conflict"),
        (11, "PermissionDenied"),
        (13, "NotFound"),
    ]


def test_views_catch_no_domain_error():
    problems = []
    for path in view_modules():
        relative = str(path.relative_to(ROOT))
        for line, name in caught_refusals(path.read_text(encoding="utf-8"), relative):
            problems.append(f"{relative}:{line}: except {name} (use attempt() or domain_errors)")
    assert not problems, "\n".join(problems)


# --- the helpers -------------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField(required=False)


def _refuse(error: errors.DomainError):
    def run():
        raise error

    return run


def _bound_form() -> NameForm:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    return form


def test_attempt_returns_the_result_or_the_message_on_the_named_field():
    assert attempt(lambda: 42) == (42, None)
    form = _bound_form()
    result, error = attempt(_refuse(errors.field_error("name", "名称重复。")), form=form)
    assert (result, error) == (None, "名称重复。")
    assert form.errors == {"name": ["名称重复。"]}
    assert attempt_error(_refuse(errors.Conflict("状态不对。"))) == "状态不对。"


@pytest.mark.parametrize(
    "refusal", [errors.PermissionDenied("无权。"), errors.NotAuthenticated("请登录。")]
)
def test_attempt_leaves_permission_and_login_to_domain_errors(refusal):
    with pytest.raises(type(refusal)):
        attempt(_refuse(refusal))
    with pytest.raises(type(refusal)):
        attempt_refusal(_refuse(refusal))


def test_attempt_refusal_hands_over_the_refusal_itself():
    rows = errors.ValidationError(
        "导入失败。", detail={"errors": [{"message": "第 2 行：缺少名称"}]}
    )
    result, refusal = attempt_refusal(_refuse(rows))
    assert result is None and refusal is rows
    assert refusal.status_code == 400 and refusal.detail["errors"]
    form = _bound_form()
    _, refusal = attempt_refusal(_refuse(errors.TooManyRequests("太频繁。")), form=form)
    assert refusal.status_code == 429
    assert form.non_field_errors() == ["太频繁。"]
    assert attempt_refusal(lambda: "ok") == ("ok", None)


def test_attempt_refusal_catches_what_pages_does_not_name():
    wrong_password = errors.NotAuthenticated("用户名或密码错误。")
    form = _bound_form()
    _, refusal = attempt_refusal(_refuse(wrong_password), form=form, pages=())
    assert refusal is wrong_password and refusal.status_code == 401
    assert form.non_field_errors() == ["用户名或密码错误。"]
    with pytest.raises(errors.NotFound):
        attempt_refusal(_refuse(errors.NotFound("找不到。")), pages=(errors.NotFound,))
    with pytest.raises(ValueError):  # not a refusal: never caught
        attempt_refusal(lambda: int("x"), pages=())
