"""The legal edges of issue 15 (DOMAIN §4.7), each at its boundary:

9. the expert draw's seed is committed at publication, nobody can choose it, and the draw
   is published with the award for anyone to re-run (财库〔2016〕198号).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict
from caidan.procurement import draw_check
from caidan.procurement.inputs import ExpertInput
from caidan.procurement.models import ExpertDraw, PanelMember
from caidan.procurement.selectors_experts import draw_record, panel_for
from caidan.procurement.services import (
    award_confirm,
    panel_draw,
    panel_recuse,
    tender_publish,
    tender_update,
)

from .api_helpers import API
from .factories import (
    committee_passes_all,
    draft_tender,
    make_expert_pool,
    next_working_deadline,
    opened_tender,
    published_tender,
)

pytestmark = pytest.mark.django_db


# --- 9. the draw nobody can choose ---------------------------------------------------------------


def test_publication_commits_to_a_secret_seed(world, client):
    tender = published_tender(world)
    assert len(tender.draw_seed) == 64
    assert tender.draw_commitment == hashlib.sha256(tender.draw_seed.encode()).hexdigest()
    public = client.get(f"{API}/tenders/{tender.pk}").json()
    assert public["scoring_sheet"]["draw_commitment"] == tender.draw_commitment
    assert tender.draw_seed not in json.dumps(public)
    record = client.get(f"{API}/tenders/{tender.pk}/draw").json()
    assert record["commitment"] == tender.draw_commitment
    assert record["seed"] is None and record["draws"] == [] and record["published"] is False
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert tender.draw_commitment in html and tender.draw_seed not in html
    # the audit log records the commitment, never the seed
    logged = json.dumps(
        list(AuditEvent.objects.filter(target_id=str(tender.pk)).values("new", "old", "note")),
        ensure_ascii=False,
    )
    assert tender.draw_commitment in logged and tender.draw_seed not in logged


def test_two_publications_have_different_seeds(world):
    a, b = published_tender(world), published_tender(world)
    assert a.draw_seed != b.draw_seed and a.draw_commitment != b.draw_commitment


def test_panel_draw_takes_no_seed_from_anyone(world):
    tender = opened_tender(world)
    make_expert_pool(world, 7)
    with pytest.raises(TypeError):
        panel_draw(tender=tender, seed="mine", actor=world.actor("purchaser"))  # type: ignore[call-arg]


def test_supplementary_draw_derives_from_the_committed_seed_and_a_counter(world):
    tender = opened_tender(world)
    make_expert_pool(world, 7)  # exactly 5 + 2
    first = panel_draw(tender=tender, actor=world.actor("purchaser"))
    tender.refresh_from_db()
    assert first.seed == tender.draw_seed
    for m in [m for m in panel_for(tender) if m.status == "reserve"]:
        panel_recuse(member=m, reason="与投标人存在关联", actor=world.actor("purchaser"))
    seated = next(m for m in panel_for(tender) if m.status == "drawn")
    with pytest.raises(Conflict) as exc:
        panel_recuse(member=seated, reason="与投标人存在关联", actor=world.actor("purchaser"))
    assert exc.value.code == "no_reserve"
    make_expert_pool(world, 3)
    second = panel_draw(tender=tender, actor=world.actor("purchaser"))
    assert second.seed == draw_check.derived_seed(tender.draw_seed, 1)
    assert second.seed == hashlib.sha256(f"{tender.draw_seed}:1".encode()).hexdigest()
    assert second.size == 1
    assert {row["rules"][0] for row in second.exclusions} == {"on_panel"}


def _awarded_with_conflict(world):
    """A lowest-price tender awarded after its committee review, with one expert of the
    pool excluded as the purchaser's own staff."""
    from caidan.procurement.services import expert_create

    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    staff = expert_create(
        actor=world.actor("admin"),
        data=ExpertInput.parse(
            name="街道干部", specialties=["elderly"], employer_unit=world.unit("310105-001")
        ),
    )
    tender = committee_passes_all(world, tender)
    award_confirm(
        tender=tender, actor=world.actor("purchaser"), now=tender.opened_at + dt.timedelta(hours=1)
    )
    tender.refresh_from_db()
    return tender, staff


def test_the_draw_is_published_with_the_award_and_anyone_can_rerun_it(world, client):
    tender, staff = _awarded_with_conflict(world)
    commitment_before = tender.draw_commitment
    record = client.get(f"{API}/tenders/{tender.pk}/draw").json()
    assert record["published"] is True
    assert record["seed"] == tender.draw_seed
    assert hashlib.sha256(record["seed"].encode()).hexdigest() == commitment_before
    assert record["verification"]["ok"] is True
    (draw,) = record["draws"]
    stored = ExpertDraw.objects.get(tender=tender)
    assert draw["drawn"] == stored.drawn and draw["candidates"] == stored.candidates
    excluded = {row["expert"]: row for row in draw["exclusions"]}
    assert excluded[staff.pk]["rules"] == ["purchaser_staff"]
    # rule names only: no names or private details of the experts
    text = json.dumps(record, ensure_ascii=False)
    assert "街道干部" not in text and "江苏路街道" not in text
    # the published record alone re-runs (what `python -m caidan.procurement.draw_check` does)
    assert draw_check.verify_record(json.loads(json.dumps(record)))["ok"] is True
    # tampering is caught: another order, another seed, a hidden exclusion
    swapped = json.loads(json.dumps(record))
    swapped["draws"][0]["drawn"][:2] = swapped["draws"][0]["drawn"][1::-1]
    assert draw_check.verify_record(swapped)["ok"] is False
    other = json.loads(json.dumps(record))
    other["seed"] = "0" * 64
    assert draw_check.verify_record(other)["commitment_ok"] is False
    # Hiding the exclusion puts the purchaser's staff back among the candidates: the re-run
    # disagrees exactly when the staff member would then have been drawn (the seed is random,
    # so whether it would is computed here, from the published data, not assumed).
    hidden = json.loads(json.dumps(record))
    hidden["draws"][0]["exclusions"] = []
    seats = draw["size"] + draw["reserves"]
    with_staff = draw_check.draw_order(
        draw["seed"], draw["candidates"], algorithm=draw["algorithm"]
    )
    changes_order = staff.pk in with_staff[:seats]
    assert draw_check.verify_record(hidden)["draws"][0]["order_ok"] is not changes_order
    # the public pages show it
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert tender.draw_seed in html and 'data-testid="draw-verification"' in html
    assert "按公开数据重新计算的抽取结果一致" in html
    notice = client.get(f"/procurement/tenders/{tender.pk}/notice/").content.decode()
    assert 'data-testid="notice-draw-link"' in notice


def test_draw_check_command_line(world, tmp_path, capsys):
    tender, _ = _awarded_with_conflict(world)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(draw_record(tender)), encoding="utf-8")
    assert draw_check.main([str(path)]) == 0
    assert '"ok": true' in capsys.readouterr().out


def test_the_purchaser_does_not_see_the_seed_before_the_award(world, client, token_for):
    tender = opened_tender(world)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    tender.refresh_from_db()
    panel = client.get(f"{API}/tenders/{tender.pk}/panel", **token_for("purchaser")).json()
    assert panel["draws"][0]["seed"] is None and panel["draws"][0]["verified"] is True
    assert panel["commitment"] == tender.draw_commitment
    client.force_login(world.user("purchaser"))
    html = client.get(f"/procurement/tenders/{tender.pk}/panel/").content.decode()
    assert tender.draw_seed not in html and tender.draw_commitment in html
    assert draw_record(tender)["seed"] is None


def test_publish_commits_on_a_fixed_clock(world):
    tender = draft_tender(world)
    now = timezone.now()
    deadline = next_working_deadline(now + dt.timedelta(days=25))
    tender_update(tender=tender, changes={"deadline": deadline}, actor=world.actor("purchaser"))
    tender = tender_publish(tender=tender, actor=world.actor("purchaser"), now=now)
    assert tender.published_at == now and tender.draw_commitment
    assert PanelMember.objects.filter(tender=tender).count() == 0
