"""What apps above contracts add to a contract's page and API.

Contracts sit below evaluations in the layer order, yet a contract shows evaluation data:
the page links to the contract's evaluations and the provider's track record, and the API
names the passed evaluation that opened each mid-term or final payment gate. So the higher
app registers a :class:`ContractSection` here — as ``needs/followups.py`` does for needs and
``procurement/holds.py`` for procurement — and contracts asks every registered section
without importing the app (``caidan/evaluations/apps.py`` registers its section in
``ready()``).

A section has two optional functions of the contract:

* ``links(contract) -> {name: url}``: named links the contract page shows where it has a
  place for them (``"evaluations"``: the contract's evaluations, ``"track_record"``: the
  provider's track record). A name nobody registered is simply not shown.
* ``gate_records(contract) -> {gate: id}``: for a payment gate a record opened
  (``"midterm"``, ``"final"``), that record's id (the API's ``gate_evaluation_id``).
* ``renewal_blocks(contract) -> [RenewalBlock]``: why the contract may not be renewed, by
  the registering app's records (a final evaluation graded 差: 优胜劣汰). ``contract_renew``
  refuses with the first block's code and reason, so contracts need not know what an
  evaluation is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .models import Contract

LinksFn = Callable[["Contract"], Mapping[str, str]]
GateRecordsFn = Callable[["Contract"], Mapping[str, int]]


@dataclass(frozen=True)
class RenewalBlock:
    """Why a contract may not be renewed: ``code`` for machines (the 409's code), ``reason``
    for people."""

    code: str
    reason: str


RenewalBlocksFn = Callable[["Contract"], Iterable[RenewalBlock]]


@dataclass(frozen=True)
class ContractSection:
    name: str  # the registering app, for messages
    links: LinksFn | None = None
    gate_records: GateRecordsFn | None = None
    renewal_blocks: RenewalBlocksFn | None = None


_SECTIONS: dict[str, ContractSection] = {}


def register_contract_section(section: ContractSection) -> ContractSection:
    """Register (or replace, by name) what an app adds to a contract."""
    _SECTIONS[section.name] = section
    return section


def unregister_contract_section(name: str) -> None:
    _SECTIONS.pop(name, None)


def contract_links(contract: Contract) -> dict[str, str]:
    """Every registered section's named links for ``contract``."""
    out: dict[str, str] = {}
    for section in list(_SECTIONS.values()):
        if section.links is not None:
            out.update(section.links(contract))
    return out


def gate_records(contract: Contract) -> dict[str, int]:
    """For each payment gate a registered app's record opened, that record's id."""
    out: dict[str, int] = {}
    for section in list(_SECTIONS.values()):
        if section.gate_records is not None:
            out.update(section.gate_records(contract))
    return out


def renewal_blocks(contract: Contract) -> list[RenewalBlock]:
    """Every registered section's reasons why ``contract`` may not be renewed."""
    out: list[RenewalBlock] = []
    for section in list(_SECTIONS.values()):
        if section.renewal_blocks is not None:
            out.extend(section.renewal_blocks(contract))
    return out
