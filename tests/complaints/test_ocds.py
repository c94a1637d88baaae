"""The complaint and its decision in OCDS 1.1.5: the finance bureau as ``reviewBody``, the
decision as a ``complaints`` tender document, a ``complaints`` array; the release package
validates against the offline schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.complaints import services as s
from caidan.complaints.inputs import ComplaintDecisionInput, ComplaintSuspendInput
from caidan.disclosure import ocds

from .conftest import complain, scene

pytestmark = pytest.mark.django_db


def test_release_with_a_decided_complaint_validates(world, client):
    if not ocds.schema_available():
        pytest.skip(f"OCDS SCHEMA DIRECTORY MISSING ({ocds.schema_dir()}): NOT VALIDATED")
    admin = world.actor("admin")
    sc = scene(world, at=None)
    c = complain(sc, now=timezone.now())
    s.complaint_accept(complaint=c, actor=admin)
    s.complaint_suspend(
        complaint=c,
        actor=admin,
        data=ComplaintSuspendInput.parse(
            until=timezone.localdate() + dt.timedelta(days=10), reason="核查"
        ),
    )
    proposal = sc.tender.proposal
    pending = ocds.releases_for(proposal)
    assert not any("complaints" in r for r in pending)  # nothing public before the decision
    from caidan.disclosure.models import FeedEntry

    before = FeedEntry.objects.get(proposal_id=proposal.pk).modified
    s.complaint_decide(
        complaint=c,
        actor=admin,
        data=ComplaintDecisionInput.parse(
            outcome="upheld_no_effect", reasoning="答复说理不充分，但不影响中标结果。"
        ),
    )
    # the feed moved, by the publication alone (the award stands)
    assert FeedEntry.objects.get(proposal_id=proposal.pk).modified > before
    releases = ocds.releases_for(proposal)
    package = ocds.release_package(releases)
    assert ocds.validation_errors(package, "release") == []
    last = [r for r in releases if "complaints" in r][-1]
    bureau = [p for p in last["parties"] if "reviewBody" in p["roles"]]
    assert len(bureau) == 1 and bureau[0]["id"] == last["complaints"][0]["reviewBody"]["id"]
    doc = last["tender"]["documents"][0]
    assert doc["documentType"] == "complaints" and doc["url"].endswith(f"/complaints/{c.pk}/")
    entry = last["complaints"][0]
    assert entry["id"] == str(c.pk) and entry["outcome"] == "upheld_no_effect"
    assert entry["status"] == "decided" and entry["dateDecided"]
    assert entry["suspensionPeriod"]["startDate"]
    # the public record has it
    record = client.get(f"/api/v1/ocds/records/{ocds.ocid_for(proposal)}").json()
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["complaints"][0]["outcome"] == "upheld_no_effect"
    assert any(d["documentType"] == "complaints" for d in compiled["tender"]["documents"])
