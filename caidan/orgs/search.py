"""Finding records by their organization's name (contracts, awards, evaluations are
searched by the provider's name too)."""

from __future__ import annotations

from django.db.models import QuerySet

from caidan.common.search import text_match

from .models import Organization

#: Above this many organizations a name search is left to a subquery (a common word: the
#: caller's own ordered scan finds its page quickly); below it, a list of ids, which lets
#: PostgreSQL combine it with the caller's other indexed conditions.
NAMED_ID_LIMIT = 500


def organizations_named(q: str) -> list[int] | QuerySet:
    """Ids of organizations whose name has every word of ``q``: for searching other records
    by their organization's name (contracts, evaluations)."""
    qs = Organization.objects.filter(text_match(q, "name")).order_by().values("pk")
    ids = [r["pk"] for r in qs[: NAMED_ID_LIMIT + 1]]
    return qs if len(ids) > NAMED_ID_LIMIT else ids
