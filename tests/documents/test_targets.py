"""Attaching documents to records (issue 16 item 1): the same permission as changing the
record, public only by the record's owner, unknown record types refused, and the generic
upload refused for records that have their own attachment route."""

from __future__ import annotations

import pytest

from caidan.accounts.actor import Actor
from caidan.common.errors import DomainError
from caidan.documents.models import Document
from caidan.documents.services import document_upload
from caidan.documents.targets import TARGETS

from .conftest import PDF, stored_files, uploaded
from .records import ATTACHERS, PUBLISHERS, attachable_records

USERS = [
    "admin",
    "registrar",
    "purchaser",
    "purchaser2",
    "committee",
    "provider",
    "hub",
    "expert",
    "evaluator",
    "auditor",
    "resident",
]


@pytest.fixture
def records(world):
    return attachable_records(world)


def _status(**kwargs) -> int:
    try:
        document_upload(file=uploaded("a.pdf", PDF), **kwargs)
    except DomainError as exc:
        return exc.status_code
    return 201


def test_every_registered_target_type_is_covered():
    assert set(TARGETS) == set(ATTACHERS) == set(PUBLISHERS)


def test_service_attach_and_publish_matrix(world, records, media_root):
    """Every role against every record type, through the service the apps' own routes
    call: private attachment, then public."""
    for target_type, target_id in records.items():
        for username in [None, *USERS]:
            actor = world.actor(username) if username else Actor.anonymous()
            for public, allowed in ((False, ATTACHERS), (True, PUBLISHERS)):
                got = _status(
                    actor=actor, is_public=public, target_type=target_type, target_id=target_id
                )
                expected = (
                    401 if username is None else 201 if username in allowed[target_type] else 403
                )
                assert got == expected, (target_type, username, public)
    # Nothing refused left a file or a row behind.
    expected_rows = sum(len(ATTACHERS[t]) + len(PUBLISHERS[t]) for t in records)
    assert Document.objects.filter(target_type__in=list(records)).count() == expected_rows
    assert len(stored_files(media_root)) == expected_rows


def test_resident_cannot_forge_public_tender_document(world, records, client, token_for):
    """The attack of the issue: a resident attaches a public file to someone else's tender
    through the generic upload. Refused, naming target_type; nothing shows on the tender."""
    resp = client.post(
        "/api/v1/documents",
        {
            "file": uploaded("采购文件（更正）.pdf", PDF),
            "is_public": "true",
            "target_type": "procurement.tender",
            "target_id": records["procurement.tender"],
        },
        **token_for("resident"),
    )
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "use_dedicated_route"
    assert body["detail"]["field"] == "target_type"
    assert "/api/v1/procurement/tenders/{id}/documents" in body["message"]
    assert not Document.objects.filter(target_type="procurement.tender").exists()


def test_rival_provider_cannot_attach_to_a_report_even_through_the_service(world, records):
    with pytest.raises(DomainError) as info:
        document_upload(
            file=uploaded("伪造的财务报表.pdf", PDF),
            actor=world.actor("hub"),
            target_type="contracts.report",
            target_id=records["contracts.report"],
        )
    assert info.value.status_code == 403


def test_report_attachments_are_never_public(world, records):
    with pytest.raises(DomainError) as info:
        document_upload(
            file=uploaded("a.pdf", PDF),
            actor=world.actor("provider"),
            is_public=True,
            target_type="contracts.report",
            target_id=records["contracts.report"],
        )
    assert (info.value.status_code, info.value.code) == (403, "publish_not_allowed")


@pytest.mark.parametrize(
    ("target_type", "target_id", "code", "field", "status"),
    [
        ("accounts.user", "1", "unknown_target_type", "target_type", 400),
        ("projects.proposal", "abc", "invalid", "target_id", 400),
        ("projects.proposal", "99999999999999999999999", "invalid", "target_id", 400),
        ("projects.proposal", "999999999", "target_not_found", "target_id", 404),
    ],
)
def test_bad_targets_are_refused(
    world, client, token_for, target_type, target_id, code, field, status
):
    resp = client.post(
        "/api/v1/documents",
        {"file": uploaded("a.pdf", PDF), "target_type": target_type, "target_id": target_id},
        **token_for("purchaser"),
    )
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert (body["code"], body["detail"]["field"]) == (code, field)


def test_generic_upload_attaches_to_own_proposal_only(world, records, client, token_for):
    data = {"target_type": "projects.proposal", "target_id": records["projects.proposal"]}
    mine = client.post(
        "/api/v1/documents",
        {"file": uploaded("a.pdf", PDF), "is_public": "true", **data},
        **token_for("purchaser"),
    )
    assert mine.status_code == 201, mine.content
    theirs = client.post(
        "/api/v1/documents",
        {"file": uploaded("a.pdf", PDF), "is_public": "true", **data},
        **token_for("purchaser2"),
    )
    assert theirs.status_code == 403, theirs.content
