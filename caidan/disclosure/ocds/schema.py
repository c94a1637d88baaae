"""The OCDS 1.1.5 schemas, read offline (``OCDS_SCHEMA_DIR``) with the bids, lots and metrics
extensions merged in, and validation of a package against them."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

VERSION = "1.1"
SCHEMA_VERSION = "1__1__5"
RELEASE_SCHEMA_URL = (
    f"https://standard.open-contracting.org/schema/{SCHEMA_VERSION}/release-schema.json"
)
PUBLISHER = {"name": "Caidan 菜单"}
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
EXTENSION_DIRS = (
    "ocds_bid_extension-v1.1.5",
    "ocds_lots_extension-v1.1.5",
    "ocds_metrics_extension-v1.1",
)
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/v1.1/extension.json",
]


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386): ``patch`` applied to a copy of ``target``."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def schema_dir() -> Path:
    return Path(settings.OCDS_SCHEMA_DIR)


def schema_available() -> bool:
    return (schema_dir() / "1.1.5" / "release-schema.json").is_file()


@lru_cache(maxsize=4)
def _release_schema(root: str) -> dict:
    base = Path(root)
    schema = json.loads((base / "1.1.5" / "release-schema.json").read_text("utf-8"))
    for name in EXTENSION_DIRS:
        patch = base / "extensions" / name / "release-schema.json"
        schema = merge_patch(schema, json.loads(patch.read_text("utf-8")))
    return schema


def release_schema() -> dict:
    """The OCDS 1.1.5 release schema with the three extensions merged in (a copy)."""
    return copy.deepcopy(_release_schema(str(schema_dir())))


def package_schema(kind: str) -> dict:
    """``kind`` is "release" or "record"."""
    path = schema_dir() / "1.1.5" / f"{kind}-package-schema.json"
    return json.loads(path.read_text("utf-8"))


def validation_errors(package: dict, kind: str) -> list[str]:
    """Validate a release or record package offline; the package schema's reference to the
    release schema resolves to the local, extended copy. Needs ``jsonschema`` (dev extra)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release_schema(), default_specification=DRAFT4)
    )
    validator = jsonschema.Draft4Validator(
        package_schema(kind),
        registry=registry,
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(str(p) for p in err.absolute_path)}: {err.message}"
        for err in sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path))
    ]
