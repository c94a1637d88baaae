"""The mid-year demo's assisted participation (issue 21): the worker account, residents
registered at the counter, a need and orders on their behalf, paper survey slips."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_midyear_demo_has_assisted_records(world, capsys):
    from caidan.evaluations.models import SurveyResponse
    from caidan.needs.models import MenuOrder, Need, ResidentIdentity

    call_command("seed_demo", "--midyear")
    worker = world.user("worker")
    assert world.membership("worker").role == "community_worker"
    assert ResidentIdentity.objects.filter(registered_by=worker).count() == 2
    need = Need.objects.get(assisted_by=worker)
    assert need.is_public
    assert MenuOrder.objects.filter(assisted_by=worker).count() >= 1
    assert SurveyResponse.objects.filter(on_paper=True).count() == 3
    call_command("demo_accounts")
    assert "worker" in capsys.readouterr().out
