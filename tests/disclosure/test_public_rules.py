"""One public-visibility rule per aggregate (issue 17 §2).

For every aggregate, a public and a non-public row are made through the services (the
factories of the other disclosure tests); then the model's rule (``objects.public()``), its
``is_public``, the anonymous portal page, the portal search, the open-data download, the
app's own public list and the OCDS export must all say the same of each row. A surface an
aggregate does not appear on is left out of its check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pytest
from django.urls import reverse
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.catalog.inputs import CatalogItemInput, CatalogVersionInput
from caidan.common.errors import DomainError
from caidan.complaints.inputs import ComplaintDecisionInput
from caidan.disclosure import downloads, ocds, search
from caidan.enquiries.inputs import EnquiryAnswerInput, EnquiryInput
from caidan.needs.inputs import MenuInput, NeedModerationInput
from caidan.projects.inputs import ProposalInput
from tests.disclosure.helpers import make_notice
from tests.disclosure.test_downloads import all_pages
from tests.disclosure.test_ocds import full_lifecycle, sealed_tender

pytestmark = pytest.mark.django_db


def agree(row, expected: bool, **surfaces: bool) -> None:
    """The model's rule, ``is_public`` and every given surface say ``expected`` of ``row``."""
    model = type(row)
    said = {
        "objects.public()": model.objects.public().filter(pk=row.pk).exists(),
        "is_public": row.is_public,
        **surfaces,
    }
    wrong = {name: value for name, value in said.items() if value is not expected}
    assert not wrong, f"{model.__name__} #{row.pk} should be public={expected}: {wrong}"


def page(client, url: str) -> bool:
    """The page answers an anonymous visitor (else: not found, or asks to log in)."""
    status = client.get(url).status_code
    assert status in (200, 302, 401, 403, 404), (url, status)
    return status == 200


def found(searcher: Callable[..., list[dict]], q: str, url: str) -> bool:
    return any(hit["url"] == url for hit in searcher(q, limit=1000))


def downloaded(name: str, row) -> bool:
    return downloads.DATASETS[name].queryset({}).filter(pk=row.pk).exists()


def listed(rows: Iterable, row) -> bool:
    return any(r.pk == row.pk for r in rows)


def served(get: Callable[[], object]) -> bool:
    """A public selector's ``get``: it returns the row, or refuses."""
    try:
        get()
    except DomainError:
        return False
    return True


def released(proposal, pick: Callable[[dict], Iterable[str]]) -> set[str]:
    """The ids ``pick`` reads from each of the process's OCDS releases."""
    return {value for release in ocds.releases_for(proposal) for value in pick(release)}


def ocds_record(client, proposal) -> bool:
    return client.get(f"/api/v1/ocds/records/{ocds.ocid_for(proposal)}").status_code == 200


# --- notices ----------------------------------------------------------------------------------


def test_notices(world, client):
    from caidan.disclosure.selectors import notice_list_public

    title = "关于开展社区服务项目绩效评价的通知（公开规则测试）"
    rows = {status: make_notice(world, status, title=title) for status in ("published", "draft")}
    rows["withdrawn"] = make_notice(world, "withdrawn", title=title)
    public_list = all_pages(notice_list_public, q=title)
    for status, notice in rows.items():
        url = reverse("disclosure:notice_detail", args=[notice.pk])
        agree(
            notice,
            status != "draft",
            page=page(client, url),
            search=found(search.search_notices, title, url),
            public_list=listed(public_list, notice),
        )


# --- catalog --------------------------------------------------------------------------------------


def test_catalog_versions_and_items(world, client):
    from caidan.catalog.models import CatalogItem
    from caidan.catalog.selectors import catalog_current
    from caidan.catalog.services import catalog_item_create, catalog_version_create

    current = catalog_current()
    item = CatalogItem.objects.filter(version=current, level=3).order_by("code").first()
    admin = world.actor("admin")
    draft = catalog_version_create(
        actor=admin,
        data=CatalogVersionInput.parse(
            name="公开规则测试草稿目录",
            effective_date=timezone.localdate() + dt.timedelta(days=400),
        ),
    )
    draft_item = catalog_item_create(
        version=draft, actor=admin, data=CatalogItemInput.parse(code="99", name="草稿里的条目")
    )
    for version, expected in ((current, True), (draft, False)):
        agree(version, expected, page=page(client, reverse("catalog:version", args=[version.pk])))
    for row, expected in ((item, True), (draft_item, False)):
        url = reverse("catalog:item", args=[row.pk])
        agree(
            row,
            expected,
            page=page(client, url),
            search=found(search.search_catalog, row.name, url),
            download=downloaded("catalog", row),
        )


# --- organizations ------------------------------------------------------------------------------


def test_organizations_are_all_public(world, client):
    """The registry is public: no organization is hidden (deregistered ones are marked), so
    there is no non-public row to make."""
    from caidan.orgs.models import Organization
    from caidan.orgs.selectors import organization_list

    org = world.actor("provider").organization
    assert Organization.objects.public().count() == Organization.objects.count()
    url = reverse("orgs:detail", args=[org.pk])
    agree(
        org,
        True,
        page=page(client, url),
        search=found(search.search_organizations, org.name, url),
        download=downloaded("organizations", org),
        public_list=listed(all_pages(organization_list, search=org.uscc), org),
    )


# --- the contracting process: project, tender, bids, award, contract, evaluation -------------------


def draft_proposal(world, title: str):
    from caidan.catalog.selectors import catalog_current
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    item = catalog_current().items.filter(level=3).order_by("code").first()
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title=title,
            catalog_item=item,
            budget="300000.00",
            funding=[{"source": "fiscal", "amount": "300000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "1200", "unit": "人次"}],
        ),
    )


def test_projects(world, client):
    from caidan.projects.selectors import annual_plan

    approved = full_lifecycle(world).proposal
    draft = draft_proposal(world, "公开规则测试：草稿项目")
    plan = all_pages(annual_plan)
    for proposal, expected in ((approved, True), (draft, False)):
        url = reverse("projects:proposal", args=[proposal.pk])
        agree(
            proposal,
            expected,
            page=page(client, url),
            search=found(search.search_projects, proposal.title, url),
            download=downloaded("projects", proposal),
            public_list=listed(plan, proposal),
            ocds=ocds.approved_proposals().filter(pk=proposal.pk).exists(),
            ocds_record=ocds_record(client, proposal),
        )


def test_tenders(world, client):
    from caidan.procurement.selectors import tender_list_public
    from caidan.procurement.services import tender_cancel
    from tests.procurement.factories import draft_tender

    published = full_lifecycle(world).tender
    draft = draft_tender(world)
    # cancelled while still a draft: never announced, so never public
    unannounced = tender_cancel(
        tender=draft_tender(world), reason="需求变化，不再采购。", actor=world.actor("purchaser")
    )
    assert unannounced.status == "cancelled" and unannounced.published_at is None
    public_list = all_pages(tender_list_public)
    for tender, expected in ((published, True), (draft, False), (unannounced, False)):
        url = reverse("procurement:tender", args=[tender.pk])
        in_ocds = tender.reference in released(
            tender.proposal, lambda r: [r["tender"]["id"]] if "tender" in r else []
        )
        agree(
            tender,
            expected,
            page=page(client, url),
            search=found(search.search_tenders, tender.title, url),
            download=downloaded("tenders", tender),
            public_list=listed(public_list, tender),
            ocds=in_ocds,
        )


def test_bids(world):
    """Opened bids are the public opening record; sealed ones are not, not even in number."""
    from caidan.procurement.selectors import opening_record

    opened = full_lifecycle(world).tender
    sealed = sealed_tender(world)
    for tender, expected in ((opened, True), (sealed, False)):
        bids = list(tender.bids.all())
        assert bids
        in_ocds = released(
            tender.proposal, lambda r: [d["id"] for d in r.get("bids", {}).get("details", [])]
        )
        record = opening_record(tender)
        for bid in bids:
            agree(bid, expected, opening_record=listed(record, bid), ocds=str(bid.pk) in in_ocds)


def test_awards(world, client):
    """An announced award is public for good; once declined it stays on the record (OCDS,
    the notice page's history), marked, but is no longer the award notice in force that the
    search and the download list."""
    from caidan.procurement.models import Award
    from caidan.procurement.services import award_confirm, award_decline
    from tests.contracts.factories import demo_provider
    from tests.procurement.factories import make_bidders, opened_tender

    tender = opened_tender(
        world,
        prices=("800000.00", "900000.00", "950000.00"),
        evaluation_method="lowest_price",
        bidders=[demo_provider(world), *make_bidders(world, 2)],
    )
    assert tender.status == "evaluated", tender.failed_reason
    award = award_confirm(
        tender=tender, actor=world.actor("purchaser"), now=tender.opened_at + dt.timedelta(hours=1)
    )
    notice = reverse("procurement:notice", args=[tender.pk])

    def check(in_force: bool) -> None:
        award.refresh_from_db()
        agree(
            award,
            True,
            page=page(client, notice),
            ocds=str(award.pk)
            in released(tender.proposal, lambda r: [a["id"] for a in r.get("awards", [])]),
        )
        listed_as_in_force = {
            "in_force()": Award.objects.public().in_force().filter(pk=award.pk).exists(),
            "search": found(search.search_awards, tender.title, notice),
            "download": downloaded("awards", award),
        }
        assert listed_as_in_force == dict.fromkeys(listed_as_in_force, in_force)

    check(in_force=True)
    award_decline(award=award, reason="无法按期组建服务团队。", actor=world.actor("provider"))
    check(in_force=False)


def test_contracts(world, client):
    from caidan.contracts.selectors import contract_list_public
    from tests.contracts.factories import draft_contract

    signed = full_lifecycle(world)
    draft = draft_contract(world)
    public_list = all_pages(contract_list_public, actor=Actor.anonymous())
    for contract, expected in ((signed, True), (draft, False)):
        url = reverse("contracts:detail", args=[contract.pk])
        in_ocds = contract.reference in released(
            contract.proposal, lambda r: [c["id"] for c in r.get("contracts", [])]
        )
        agree(
            contract,
            expected,
            page=page(client, url),
            search=found(search.search_contracts, contract.title, url),
            download=downloaded("contracts", contract),
            public_list=listed(public_list, contract),
            ocds=in_ocds,
        )


def test_evaluations(world, client):
    from caidan.evaluations.selectors import published_evaluations
    from tests.evaluations.factories import scheduled

    contract = full_lifecycle(world)
    published = contract.evaluations.get(stage="final")
    open_ = scheduled(world, "mid", contract=contract)
    public_list = all_pages(published_evaluations)
    metrics = released(
        contract.proposal,
        lambda r: [
            m["id"]
            for c in r.get("contracts", [])
            for m in c.get("implementation", {}).get("metrics", [])
        ],
    )
    for evaluation, expected in ((published, True), (open_, False)):
        url = reverse("evaluations:detail", args=[evaluation.pk])
        agree(
            evaluation,
            expected,
            page=page(client, url),
            search=found(search.search_evaluations, contract.title, url),
            download=downloaded("evaluations", evaluation),
            public_list=listed(public_list, evaluation),
            ocds=f"evaluation-{evaluation.pk}" in metrics,
        )


# --- complaints -----------------------------------------------------------------------------------


def test_complaints(world, client):
    """A complaint is public once its decision is published (the same row before and
    after)."""
    from caidan.complaints import services
    from caidan.complaints.selectors import complaint_list_public, published_for_tender
    from tests.complaints.conftest import complain, scene

    sc = scene(world, at=None)
    complaint = complain(sc, now=timezone.now())
    admin = world.actor("admin")

    def check(expected: bool) -> None:
        complaint.refresh_from_db()
        agree(
            complaint,
            expected,
            page=page(client, reverse("complaints:detail", args=[complaint.pk])),
            public_list=listed(all_pages(complaint_list_public), complaint),
            tender_page=listed(published_for_tender(sc.tender), complaint),
            ocds=str(complaint.pk)
            in released(sc.tender.proposal, lambda r: [c["id"] for c in r.get("complaints", [])]),
        )

    check(False)
    services.complaint_accept(complaint=complaint, actor=admin)
    check(False)
    services.complaint_decide(
        complaint=complaint,
        actor=admin,
        data=ComplaintDecisionInput.parse(
            outcome="upheld_no_effect", reasoning="答复说理不充分，但不影响中标结果。"
        ),
    )
    check(True)


# --- needs and menus ------------------------------------------------------------------------------


def test_needs(world):
    from caidan.needs.models import Need
    from caidan.needs.selectors import need_get_public, need_list_public
    from caidan.needs.services import need_hide

    visible, hidden = Need.objects.filter(unit__code="310105-001").order_by("id")[:2]
    need_hide(
        actor=world.actor("purchaser"),
        need=hidden,
        data=NeedModerationInput.parse(reason="含有个人联系方式。"),
    )
    hidden.refresh_from_db()
    public_list = all_pages(need_list_public)
    for need, expected in ((visible, True), (hidden, False)):
        agree(
            need,
            expected,
            public_list=listed(public_list, need),
            page=served(lambda need=need: need_get_public(need_id=need.pk)),
        )


def test_menus(world, client):
    from caidan.needs.models import Menu
    from caidan.needs.selectors import menu_list_public
    from caidan.needs.services import menu_create

    published = Menu.objects.filter(status="published").order_by("id").first()
    opens = timezone.now() + dt.timedelta(days=1)
    draft = menu_create(
        actor=world.actor("purchaser"),
        data=MenuInput.parse(
            community="愚园路居委会",
            title="公开规则测试：草稿菜单",
            description="",
            ordering_opens_at=opens,
            ordering_closes_at=opens + dt.timedelta(days=14),
        ),
    )
    public_list = all_pages(menu_list_public)
    for menu, expected in ((published, True), (draft, False)):
        agree(
            menu,
            expected,
            page=page(client, reverse("needs:menu_detail", args=[menu.pk])),
            public_list=listed(public_list, menu),
        )


# --- enquiries ------------------------------------------------------------------------------------


def test_enquiries(world, client):
    from caidan.enquiries.selectors import enquiry_get_public, enquiry_list_public
    from caidan.enquiries.services import (
        enquiry_answer,
        enquiry_assign,
        enquiry_publish,
        enquiry_submit,
    )

    resident, purchaser = world.actor("resident"), world.actor("purchaser")
    unit = world.unit("310105-001")

    def submit(title: str):
        enquiry, _code = enquiry_submit(
            actor=resident,
            data=EnquiryInput.parse(
                kind="enquiry",
                subject_type="unit",
                subject_id=unit.pk,
                title=title,
                body="家里老人想知道周末助餐点是否照常供餐。",
                publish_consent=True,
            ),
        )
        return enquiry

    answered = submit("助餐点周末是否开放？")
    enquiry_assign(enquiry=answered, handler=purchaser.user, actor=purchaser)
    enquiry_answer(
        enquiry=answered,
        actor=purchaser,
        data=EnquiryAnswerInput.parse(answer="周末照常供餐，无需预约。"),
    )
    enquiry_publish(enquiry=answered, actor=purchaser)
    answered.refresh_from_db()
    waiting = submit("建议增加晚间助浴服务时段")
    public_list = all_pages(enquiry_list_public)
    for enquiry, expected in ((answered, True), (waiting, False)):
        agree(
            enquiry,
            expected,
            page=page(client, reverse("enquiries:public_detail", args=[enquiry.pk])),
            public_list=listed(public_list, enquiry),
            public_get=served(lambda e=enquiry: enquiry_get_public(enquiry_id=e.pk)),
        )
