"""The app's URLs plus two floor views: what bare Django costs to list 50 rows of the same
fields the API returns (``.values()`` into ``JsonResponse``), measured in the same run."""

from django.http import JsonResponse
from django.urls import path

from caidan.orgs.models import Organization
from caidan.procurement.models import Tender
from caidan.urls import urlpatterns as app_urlpatterns

ORG_FIELDS = (
    "id",
    "name",
    "uscc",
    "legal_form",
    "status",
    "current_grade_level",
    "is_hub",
    "is_evaluator",
    "hub_id",
)
TENDER_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "method",
    "unit_id",
    "unit__name",
    "budget",
    "bid_security",
    "published_at",
    "deadline",
    "opened_at",
)


def floor_orgs(request):
    return JsonResponse(
        {"items": list(Organization.objects.values(*ORG_FIELDS).order_by("-id")[:50])}
    )


def floor_tenders(request):
    rows = Tender.objects.public().values(*TENDER_FIELDS).order_by("-id")[:50]
    return JsonResponse({"items": list(rows)})


urlpatterns = [
    path("bench/floor/orgs", floor_orgs),
    path("bench/floor/tenders", floor_tenders),
    *app_urlpatterns,
]
