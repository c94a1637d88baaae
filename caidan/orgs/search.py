"""Finding records by their organization's name (contracts, awards, evaluations are
searched by the provider's name too)."""

from __future__ import annotations

from django.db.models import Q

from caidan.common.search import text_match

from .models import Organization

#: Up to this many organizations, a name search becomes a list of ids, which PostgreSQL
#: combines with the record's other indexed conditions (a rare name: few rows to fetch).
#: Above it, the name is matched through the join (a common word: the record's own ordered
#: scan soon finds a page, checking each row's organization by its primary key).
NAMED_ID_LIMIT = 500


def organization_name_match(q: str, path: str = "organization") -> Q:
    """Records whose organization (reached through ``path``) has every word of ``q`` in its
    name."""
    ids = list(
        Organization.objects.filter(text_match(q, "name"))
        .order_by()
        .values_list("pk", flat=True)[: NAMED_ID_LIMIT + 1]
    )
    if len(ids) > NAMED_ID_LIMIT:
        return text_match(q, f"{path}__name")
    return Q(**{f"{path}__in": ids})
