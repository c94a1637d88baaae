"""The published OpenAPI of the public list operations that answer through the fast path
(``caidan.common.fast_lists``): each GET operation with every component it refers to,
recursively. ``list_schemas.json`` holds them as published before the fast path; the test
in ``test_fast_lists.py`` compares. Regenerate deliberately, only for a schema change the
API means to publish: ``python -m tests.common.list_schemas > tests/common/list_schemas.json``.
"""

from __future__ import annotations

import json

OPERATIONS = (
    "/api/v1/orgs",
    "/api/v1/procurement/tenders",
    "/api/v1/projects/plan",
    "/api/v1/projects/proposals",
    "/api/v1/contracts",
    "/api/v1/catalog/versions/{version_id}/items",
)


def _refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def list_schemas() -> dict:
    from caidan.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    out = {"operations": {}, "components": {}}
    todo: set[str] = set()
    for path in OPERATIONS:
        operation = schema["paths"][path]["get"]
        out["operations"][path] = operation
        _refs(operation, todo)
    while todo:
        name = todo.pop()
        if name in out["components"]:
            continue
        out["components"][name] = components[name]
        _refs(components[name], todo)
    return json.loads(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caidan.settings")
    django.setup()
    print(json.dumps(list_schemas(), ensure_ascii=False, indent=1, sort_keys=True))
