"""What a reader may see and do next on a contract and on one of its reports: one answer for
the contract pages and the API (``my_side``, ``signing.blockers``, which fields an insider
sees).

Each answer comes from the rule the services enforce: the permissions they ``require``, the
status tables in ``lifecycles.py`` (a draft is a contract that may still be signed, a contract
in performance one that may still complete; a report is open while the table still lets it
move), and ``signing_blockers``. Asking costs no query except where noted: the signing
blockers and the renewal are read only when a page or the API asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from caidan.accounts.models import Role
from caidan.accounts.permissions import can
from caidan.common.perms import Perm

from .lifecycles import ReportAction, contract_lifecycle, report_lifecycle
from .models import Contract, ContractAction, ContractStatus, Report, ReportKind
from .permissions import provider_of, purchaser_of
from .selectors import contract_renewal, sees_full_contract
from .services.contracts import signing_blockers
from .services.terms import MAX_YEARS

# ``contract_renew`` renews a contract being performed or performed in full.
RENEWABLE = (ContractStatus.ACTIVE, ContractStatus.COMPLETED)


def signing_side(actor) -> str:
    """The side ``actor`` signs for (as ``contract_sign`` decides it)."""
    return "purchaser" if actor.has_role(Role.PURCHASER) else "provider"


def signed_by_own_side(actor, contract: Contract) -> bool:
    """Whether the side ``actor`` signs for has signed ``contract``."""
    return getattr(contract, f"{signing_side(actor)}_signed_at") is not None


@dataclass(frozen=True)
class ContractAffordances:
    """``side``: "purchaser" / "provider" when the reader is a party; ``full``: the reader
    sees the whole record (the parties, the platform admin, auditors); ``manage`` /
    ``perform``: the purchaser's / the provider's rights on this contract. The other flags
    say which next step is open to the reader now."""

    contract: Contract = field(repr=False)
    side: str | None
    full: bool
    manage: bool
    perform: bool
    draft: bool  # not signed yet: its terms may change, it may be signed or cancelled
    performing: bool  # in force: it may be amended, terminated, paid, reported on
    sign: bool
    signed_by_own_side: bool
    edit: bool
    cancel: bool
    amend: bool
    terminate: bool
    pay: bool  # record payments (each instalment: once its gate is open, once)
    reports: bool  # the parties' reports page

    @cached_property
    def blockers(self) -> list[str]:
        """Why the draft cannot be signed now (for readers of the full record; a query)."""
        if not (self.full and self.draft):
            return []
        return signing_blockers(self.contract)

    @cached_property
    def renewal(self) -> Contract | None:
        """Next year's contract, once drafted (for readers of the full record; a query)."""
        return contract_renewal(self.contract) if self.full else None

    @cached_property
    def renew(self) -> bool:
        c = self.contract
        return (
            self.manage
            and c.renewal_intent
            and c.status in RENEWABLE
            and c.year_index < min(c.renewal_years, MAX_YEARS)
            and self.renewal is None
        )


def contract_affordances(actor, contract: Contract) -> ContractAffordances:
    purchaser = purchaser_of(actor, contract)
    side = "purchaser" if purchaser else "provider" if provider_of(actor, contract) else None
    manage = can(actor, Perm.CONTRACTS_MANAGE, contract)
    perform = can(actor, Perm.CONTRACTS_PERFORM, contract)
    draft = contract_lifecycle.allowed(contract.status, ContractAction.SIGN)
    performing = contract_lifecycle.allowed(contract.status, ContractAction.COMPLETE)
    sign = draft and can(actor, Perm.CONTRACTS_SIGN, contract)
    return ContractAffordances(
        contract=contract,
        side=side,
        full=sees_full_contract(actor, contract),
        manage=manage,
        perform=perform,
        draft=draft,
        performing=performing,
        sign=sign,
        signed_by_own_side=sign and signed_by_own_side(actor, contract),
        edit=manage and draft,
        cancel=manage and contract_lifecycle.allowed(contract.status, ContractAction.CANCEL),
        amend=manage and performing,
        terminate=manage and contract_lifecycle.allowed(contract.status, ContractAction.TERMINATE),
        pay=manage and performing,
        reports=(manage or perform) and performing,
    )


@dataclass(frozen=True)
class ReportAffordances:
    """What the reader may do with one report: the provider submits it (while due or
    returned) and attaches files (until accepted), the purchaser reviews it once submitted;
    both only while the contract is in force."""

    submit: bool
    attach: bool
    review: bool
    needs_fund_lines: bool  # a mid-term report carries the fund-usage statement
    needs_statements: bool  # a final report needs the financial statements attached


def report_affordances(
    contract: ContractAffordances, report: Report, *, has_files: bool
) -> ReportAffordances:
    """``contract``: the reader's affordances on the report's contract; ``has_files``:
    whether the report already has attachments."""
    performing = contract.performing
    submit = (
        contract.perform
        and performing
        and report_lifecycle.allowed(report.status, ReportAction.SUBMIT)
    )
    return ReportAffordances(
        submit=submit,
        attach=contract.perform
        and performing
        and bool(report_lifecycle.actions_from(report.status)),
        review=contract.manage and report_lifecycle.allowed(report.status, ReportAction.ACCEPT),
        needs_fund_lines=report.kind == ReportKind.MIDTERM,
        needs_statements=report.kind == ReportKind.FINAL and submit and not has_files,
    )
