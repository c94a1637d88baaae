"""What became of an approved project, for its page: the public procurements, each with its
award notice and its public contracts (and, through them, their evaluations), and the
project's open-data (OCDS) record. Only public records, so a resident following "what became
of what I asked for" never hits a dead end.

projects sits below procurement, contracts and disclosure in the layer order, so it imports
none of them: each registers what it knows from its ``AppConfig.ready`` (as later apps do
with ``needs/followups.py``)::

    register_progress("procurements", fn)  # fn(proposal) -> [{"tender": t, "has_notice": bool}]
    register_progress("contracts", fn)     # fn(tender_ids) -> {tender id: [contract, …]}
    register_progress("ocid", fn)          # fn(proposal) -> the project's OCDS id, or ""

A part nobody registered is simply empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PARTS = ("procurements", "contracts", "ocid")
_PARTS: dict[str, Callable[[Any], Any]] = {}


def register_progress(part: str, fn: Callable[[Any], Any]) -> None:
    """Register the function that answers ``part`` (one of ``PARTS``); registering again
    replaces it."""
    if part not in PARTS:
        raise ValueError(f"unknown progress part {part!r}; expected one of {PARTS}")
    _PARTS[part] = fn


@dataclass(frozen=True)
class Progress:
    # One row a procurement: {"tender": …, "has_notice": bool, "contracts": [contract, …]}.
    rows: list[dict]
    ocid: str


def project_progress(proposal) -> Progress:
    procurements = list(_PARTS["procurements"](proposal)) if "procurements" in _PARTS else []
    contracts: dict = {}
    if procurements and "contracts" in _PARTS:
        contracts = _PARTS["contracts"]([row["tender"].pk for row in procurements])
    rows = [{**row, "contracts": contracts.get(row["tender"].pk, [])} for row in procurements]
    ocid = _PARTS["ocid"](proposal) if "ocid" in _PARTS else ""
    return Progress(rows=rows, ocid=ocid)
