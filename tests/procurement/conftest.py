import pytest


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
