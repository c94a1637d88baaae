"""Every public record that people may question links to the enquiry and report forms with
the record already filled in (a project, a contract, an organization)."""

from __future__ import annotations

import html

import pytest

from tests.contracts.factories import signed_contract

pytestmark = pytest.mark.django_db


def _links(page: str) -> tuple[str, str]:
    start = page.index('data-testid="ask-links"')
    block = html.unescape(page[start : page.index("</p>", start)])
    ask = block.split('href="')[1].split('"')[0]
    report = block.split('href="')[2].split('"')[0]
    return ask, report


@pytest.mark.parametrize("kind", ["project", "contract", "organization"])
def test_public_pages_link_to_ask_and_report_about_themselves(world, client, kind):
    contract = signed_contract(world)
    obj, url = {
        "project": (contract.proposal, f"/projects/proposals/{contract.proposal_id}/"),
        "contract": (contract, f"/contracts/{contract.pk}/"),
        "organization": (contract.organization, f"/orgs/{contract.organization_id}/"),
    }[kind]
    page = client.get(url)
    assert page.status_code == 200
    ask, report = _links(page.content.decode())
    assert ask == f"/enquiries/new/?subject_type={kind}&subject_id={obj.pk}"
    assert report == f"/enquiries/report/?subject_type={kind}&subject_id={obj.pk}"
    form = client.get(report).content.decode()  # anonymous reports are allowed
    assert f'value="{obj.pk}"' in form
    assert f'<option value="{kind}" selected>' in form
