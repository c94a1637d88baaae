import datetime as dt

import pytest
from django.utils import timezone

from caidan.common.identifiers import make_uscc
from caidan.orgs.inputs import OrganizationInput


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_org(world):
    """``make_org(name, **details)`` registers an organization through the service."""
    from caidan.orgs.services import organization_create

    counter = {"n": 0}

    def _make(name="测试社工服务中心", *, fields=("elderly",), registered_years_ago=5, **extra):
        counter["n"] += 1
        return organization_create(
            actor=world.actor("registrar"),
            data=OrganizationInput.parse(
                name=name,
                uscc=make_uscc(f"52310105TT{counter['n']:07d}"),
                legal_form="service_institution",
                fields=list(fields),
                registration_date=timezone.localdate()
                - dt.timedelta(days=365 * registered_years_ago),
                **extra,
            ),
        )

    return _make
