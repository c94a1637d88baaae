"""Finding records by their organization's name (contracts, awards, evaluations are
searched by the provider's name too)."""

from __future__ import annotations

from django.db.models import Q

from caidan.common.search import related_match

from .models import Organization


def organization_name_match(q: str, path: str = "organization") -> Q:
    """Records whose organization (reached through ``path``) has every word of ``q`` in its
    name: a short list of ids for a rare name, the join for a common one
    (``caidan.common.search.related_match``)."""
    return related_match(q, Organization, "name", path)
