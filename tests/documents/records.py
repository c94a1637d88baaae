"""One record of every registered document target type, built through the services, and
who may attach to each: shared by the documents tests and the permission matrix."""

from __future__ import annotations

# Who may attach a (private) document to each record type through its own route; everyone
# else signed in is refused (403), anonymous callers 401.
ATTACHERS = {
    "procurement.tender": {"purchaser"},
    "contracts.report": {"provider"},
    "disclosure.notice": {"admin"},
    "projects.proposal": {"purchaser"},
}
# Who may mark it public: the record owner's roles; report attachments are never public.
PUBLISHERS = {
    "procurement.tender": {"purchaser"},
    "contracts.report": set(),
    "disclosure.notice": {"admin"},
    "projects.proposal": {"purchaser"},
}


def attachable_records(world) -> dict[str, str]:
    """``{target_type: target_id}``: a published tender and a purchaser's own proposal of
    江苏路街道, a report due under a contract the demo provider signed, a draft notice."""
    from caidan.disclosure.inputs import NoticeInput
    from caidan.disclosure.notices import notice_create
    from caidan.projects.models import Proposal
    from caidan.projects.permissions import owns_proposal
    from tests.procurement.factories import published_tender

    tender = published_tender(world)
    contract = _signed_contract(world)
    report = contract.reports.order_by("id").first()
    notice = notice_create(
        actor=world.actor("admin"),
        data=NoticeInput.parse(
            category="announcement",
            title="关于开展社区服务需求调查的通知",
            body="正文",
            source="长宁区财政局",
        ),
    )
    purchaser = world.actor("purchaser")
    proposal = next(p for p in Proposal.objects.order_by("id") if owns_proposal(purchaser, p))
    return {
        "procurement.tender": str(tender.pk),
        "contracts.report": str(report.pk),
        "disclosure.notice": str(notice.pk),
        "projects.proposal": str(proposal.pk),
    }


def _signed_contract(world):
    """A contract won by the demo provider, signed by both parties: the procurement run
    90 days back so that its challenge window has closed."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from caidan.contracts.services import contract_create, contract_sign
    from caidan.procurement.services import award_confirm
    from tests.contracts.factories import demo_provider
    from tests.procurement.factories import make_bidders, opened_tender

    with time_machine.travel(timezone.now() - dt.timedelta(days=90), tick=True):
        tender = opened_tender(
            world,
            prices=("800000.00", "900000.00", "950000.00"),
            evaluation_method="lowest_price",
            bidders=[demo_provider(world), *make_bidders(world, 2)],
        )
        award = award_confirm(
            tender=tender,
            actor=world.actor("purchaser"),
            now=tender.opened_at + dt.timedelta(hours=1),
        )
    contract = contract_create(award=award, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=world.actor("provider"))
    return contract
