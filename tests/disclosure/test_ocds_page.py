"""The OCDS record as a page people read, the JSON one click away; JSON answers in real
UTF-8, not \\u escapes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from caidan.disclosure import ocds
from tests.disclosure.test_ocds import full_lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def lifecycle(world):
    contract = full_lifecycle(world)
    return contract, ocds.ocid_for(contract.tender.proposal)


def test_the_record_page_reads_in_words(client, lifecycle):
    contract, ocid = lifecycle
    resp = client.get(reverse("disclosure:ocds_record", args=[ocid]))
    assert resp.status_code == 200
    html = resp.content.decode()
    parties = html.split('data-testid="ocds-parties"', 1)[1].split("</section>", 1)[0]
    assert contract.unit.name in parties and "购买主体" in parties
    assert contract.organization.name in parties and "中标供应商" in parties
    assert "buyer" not in parties and "supplier" not in parties  # codes in words
    tender = html.split('data-testid="ocds-tender"', 1)[1].split("</section>", 1)[0]
    assert contract.tender.reference in tender and "公开招标" in tender
    assert "¥1,000,000.00" in tender and "已完成" in tender
    award = html.split('data-testid="ocds-award"', 1)[1].split("</section>", 1)[0]
    assert contract.organization.name in award and "¥800,000.00" in award
    k = html.split('data-testid="ocds-contract"', 1)[1].split("</section>", 1)[0]
    assert contract.reference in k and "¥800,000.00" in k
    assert "¥400,000.00" in k  # the payment
    assert "2027-01-01 — 2027-12-31" in k
    assert "终期评估" in k and "综合得分" in k
    releases = html.split('data-testid="ocds-releases"', 1)[1].split("</section>", 1)[0]
    assert "采购公告" in releases and "合同签订" in releases and "合同履行" in releases
    assert f'href="/api/v1/ocds/records/{ocid}"' in html  # the JSON, one click away
    assert "T02:00:00Z" not in html and '"amount"' not in html


def test_the_page_agrees_with_the_json(client, lifecycle):
    contract, ocid = lifecycle
    body = client.get(f"/api/v1/ocds/records/{ocid}").json()
    compiled = body["records"][0]["compiledRelease"]
    html = client.get(reverse("disclosure:ocds_record", args=[ocid])).content.decode()
    for party in compiled["parties"]:
        assert party["name"] in html and party["id"] in html
    assert len(compiled["contracts"]) == html.count('data-testid="ocds-contract"')


@pytest.mark.parametrize("ocid", ["ocds-caidan-999999", "nope", "ocds-caidan-1x"])
def test_an_unknown_record_is_404(client, world, ocid):
    assert client.get(reverse("disclosure:ocds_record", args=[ocid])).status_code == 404


def test_the_project_page_links_the_readable_record_and_its_json(client, world, lifecycle):
    contract, ocid = lifecycle
    client.force_login(world.user("admin"))
    html = client.get(f"/projects/proposals/{contract.tender.proposal_id}/").content.decode()
    assert f'href="{reverse("disclosure:ocds_record", args=[ocid])}"' in html
    assert f'href="/api/v1/ocds/records/{ocid}"' in html


def test_api_json_is_utf8_not_escaped(client, lifecycle):
    contract, ocid = lifecycle
    resp = client.get(f"/api/v1/ocds/records/{ocid}")
    assert resp["Content-Type"] == "application/json; charset=utf-8"
    raw = resp.content
    assert contract.organization.name.encode("utf-8") in raw
    assert b"\\u" not in raw
    assert json.loads(raw.decode("utf-8"))["records"][0]["ocid"] == ocid
    # errors too: the message is Chinese text as itself
    missing = client.get("/api/v1/ocds/records/ocds-caidan-999999")
    assert missing.status_code == 404 and b"\\u" not in missing.content


def test_a_lone_surrogate_falls_back_to_escaped_json():
    from caidan.api import Utf8JSONRenderer

    out = Utf8JSONRenderer().render(None, {"name": "中\ud800"}, response_status=200)
    assert json.loads(out) == {"name": "中\ud800"} and b"\\u4e2d" in out
    assert Utf8JSONRenderer().render(None, {"name": "中"}, response_status=200) == (
        '{"name": "中"}'.encode()
    )
