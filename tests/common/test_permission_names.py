"""Permission names are constants (issue 17 §4): each one is a member of
``caidan.common.perms.Perm``, each member has a registered rule, and no code names a
permission as free text (a typo would otherwise be a KeyError at the first request)."""

from __future__ import annotations

import ast
from pathlib import Path

from caidan.common.permissions import RULES
from caidan.common.perms import Perm

ROOT = Path(__file__).resolve().parents[2] / "caidan"
CALLS = {"require", "can", "register"}


def test_every_name_is_registered_and_every_rule_named():
    assert set(Perm) == set(RULES), set(Perm) ^ set(RULES)


def test_no_permission_is_written_as_text():
    names = set(RULES)
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if "migrations" in parts or "tests" in parts or path.name == "perms.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            for arg in node.args:
                if isinstance(arg, ast.Constant) and arg.value in names:
                    found.append(f"{path}:{node.lineno}: {arg.value!r}")
                elif called in CALLS and isinstance(arg, ast.Constant) and "." in str(arg.value):
                    found.append(f"{path}:{node.lineno}: unknown permission {arg.value!r}")
    assert not found, "\n".join(found)
