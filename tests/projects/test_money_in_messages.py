"""Money inside refusals (issue 20): a ceiling refusal shows its figures as pages do —
¥1,300,000.00 — not the database's ``1300000.00 元``, in Chinese and in English."""

from decimal import Decimal

import pytest
from django.utils import translation

from caidan.common.errors import ValidationError
from caidan.projects.services import budget_ceiling_set, proposal_submit
from caidan.projects.services.ceilings import ceiling_room


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogs():
    import io

    from django.core.management import call_command

    call_command("compile_translations", stdout=io.StringIO())
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def _room_left(world, year, left: str):
    unit = world.unit("310105-001")
    approved = ceiling_room(unit=unit, year=year).approved
    budget_ceiling_set(
        unit=unit, year=year, amount=str(approved + Decimal(left)), actor=world.actor("admin")
    )
    return approved


def test_ceiling_refusal_prints_amounts_as_money(world, draft, next_year):
    approved = _room_left(world, next_year, "1000000.00")
    p = draft(budget="1300000.00")
    with pytest.raises(ValidationError) as exc:
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    message = str(exc.value.message)
    assert "本项目 ¥1,300,000.00。" in message
    assert "余额 ¥1,000,000.00，" in message
    assert f"已立项 ¥{approved:,.2f}，" in message
    assert " 元" not in message and "1300000.00" not in message
    # the API keeps machine-readable figures in the detail
    assert exc.value.detail["remaining"] == "1000000.00"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    english = str(exc.value.message)
    assert "this proposal ¥1,300,000.00." in english and "yuan" not in english


def test_lowering_a_ceiling_below_what_is_approved_names_it_as_money(world, next_year):
    approved = _room_left(world, next_year, "0.00")
    if approved == 0:
        pytest.skip("the demo approved nothing for next year")  # pragma: no cover
    with pytest.raises(ValidationError) as exc:
        budget_ceiling_set(
            unit=world.unit("310105-001"),
            year=next_year,
            amount=str(approved - Decimal("0.01")),
            actor=world.actor("admin"),
        )
    assert f"已立项 ¥{approved:,.2f}，预算控制数不能低于该数。" in str(exc.value.message)
