"""Role × endpoint matrix for the bulk endpoints outside contracts (issue 19 §6): the
enquiries' bulk answer and procurement's bulk draw. A role that may do the step gets 200 with
per-item results (an item outside its scope refused in them); every other role 403,
anonymous 401."""

from __future__ import annotations

import pytest

from .helpers import _each_role

pytestmark = pytest.mark.django_db


def test_api_bulk_answer(world, client, token_for):
    from tests.enquiries.conftest import ask

    e = ask(world)
    _each_role(
        client,
        token_for,
        method="POST",
        url="/api/v1/enquiries/bulk/answers",
        body=lambda o: {"enquiry_ids": [e.pk], "answer": "每周一至周五上午。"},
        objects={},
        expected={"purchaser": 200, "admin": 200, "registrar": 200, "*": 403},
    )


def test_api_bulk_draw(world, client, token_for):
    """The purchaser gets per-item results (an unknown tender refused in them)."""
    _each_role(
        client,
        token_for,
        method="POST",
        url="/api/v1/procurement/bulk/draws",
        body=lambda o: {"tender_ids": [99_999_999]},
        objects={},
        expected={"purchaser": 200, "*": 403},
    )
