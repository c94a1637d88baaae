import pytest

from . import factories
from .view_helpers import _score_everyone


@pytest.fixture(autouse=True)
def own_expert_pool(request):
    """The demo jurisdiction seeds nine experts; procurement tests build the pool they
    need (``factories.make_expert_pool``), so the demo experts leave the pool first — through
    the service, as an administrator would retire them."""
    if "world" not in request.fixturenames:
        return
    world = request.getfixturevalue("world")
    from caidan.procurement.demo import EXPERTS
    from caidan.procurement.models import Expert
    from caidan.procurement.services import expert_deactivate

    demo = [username for username, *_ in EXPERTS]
    for expert in Expert.objects.filter(is_active=True, user__username__in=demo):
        expert_deactivate(expert=expert, actor=world.actor("admin"))


# --- tenders for the pages' tests (test_views_*.py): drawn, evaluated, awarded -----------------
# (test_experts.py and test_evaluation_services.py define a ``drawn``/``evaluated`` of their own,
# which wins in their module.)


@pytest.fixture
def drawn(world):
    """An opened tender (3 valid bids) with its committee drawn."""
    from caidan.procurement.services.draw import panel_draw

    factories.make_expert_pool(world, n=9)
    tender = factories.opened_tender(world)
    assert tender.status == "evaluating", tender.failed_reason
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    return tender


@pytest.fixture
def evaluated(world, drawn):
    _score_everyone(drawn)
    drawn.refresh_from_db()
    assert drawn.status == "evaluated"
    return drawn


@pytest.fixture
def awarded(world, evaluated):
    from caidan.procurement.services import award_confirm

    award_confirm(tender=evaluated, actor=world.actor("purchaser"))
    evaluated.refresh_from_db()
    return evaluated
