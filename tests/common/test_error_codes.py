"""Error codes are names, not free text (issue 17 §4): every ``code=`` a service raises is a
member of ``caidan.common.codes.Common`` (shared) or of its app's ``codes.Code``; one meaning
has one code (``bad_transition``, never ``invalid_transition`` or ``bad_status``)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "caidan"


def _code_modules():
    yield importlib.import_module("caidan.common.codes").Common
    for path in sorted(ROOT.glob("*/codes.py")):
        if path.parent.name != "common":
            yield importlib.import_module(f"caidan.{path.parent.name}.codes").Code


def test_no_code_is_written_as_free_text():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if "migrations" in parts or "tests" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    value = kw.value.value if isinstance(kw.value, ast.Constant) else None
                    # unit and catalog codes are digits ("310105-001"); error codes are words
                    if kw.arg == "code" and isinstance(value, str) and not value[:1].isdigit():
                        found.append(f"{path}:{node.lineno}: code={value!r}")
    assert not found, "\n".join(found)


def test_one_meaning_one_code():
    seen: dict[str, str] = {}
    for enum in _code_modules():
        for member in enum:
            where = f"{enum.__module__}.{member.name}"
            assert member.value not in seen, (
                f"{member.value} in {seen.get(member.value)} and {where}"
            )
            seen[member.value] = where
            assert member.name == member.value.upper(), where
    for synonym in ("invalid_transition", "bad_status"):
        assert synonym not in seen
    assert "bad_transition" in seen


def test_a_raised_code_is_plain_text_in_the_api_body():
    from caidan.common.codes import Common
    from caidan.common.errors import Conflict

    body = Conflict("x", code=Common.BAD_TRANSITION).as_dict()
    assert body["code"] == "bad_transition" and type(body["code"]) is str
