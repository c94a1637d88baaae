"""Keyset pagination: every row exactly once, whatever the order and concurrent inserts."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import transaction

from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.audit.services import audit_record
from caidan.common.errors import ValidationError
from caidan.common.models import CalendarDay
from caidan.common.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_paginate

pytestmark = pytest.mark.django_db

YEAR = 2040


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def days():
    """47 calendar exceptions in 2040, with both kinds (so ``kind`` has many ties)."""
    start = dt.date(YEAR, 1, 1)
    rows = [
        CalendarDay(
            date=start + dt.timedelta(days=3 * i),
            kind=CalendarDay.Kind.HOLIDAY if i % 3 else CalendarDay.Kind.WORKDAY,
            name=f"d{i}",
        )
        for i in range(47)
    ]
    CalendarDay.objects.bulk_create(rows)
    return CalendarDay.objects.filter(date__year=YEAR)


def _walk(qs, ordering, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = keyset_paginate(qs, ordering=ordering, cursor=cursor, limit=limit)
        pages += 1
        assert page.limit == limit
        assert len(page.items) <= limit
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen, pages
        assert len(page.items) == limit
        cursor = page.next_cursor
        assert pages < 1000


@pytest.mark.parametrize(
    "ordering",
    [
        ("date",),
        ("-date",),
        ("id",),
        ("-id",),
        ("kind", "id"),
        ("-kind", "-id"),
        ("-kind", "-date"),
    ],
)
@pytest.mark.parametrize("limit", [1, 5, 10, 46, 47, 48, 100])
def test_walk_visits_every_row_once_in_order(days, ordering, limit):
    expected = [d.pk for d in days.order_by(*ordering)]
    assert len(expected) == 47
    seen, pages = _walk(days, ordering, limit)
    assert [d.pk for d in seen] == expected
    assert pages == max(1, -(-47 // limit))


def test_walk_over_datetimes_with_microseconds(world):
    """Audit events ordered by time: the cursor round-trips an aware datetime exactly."""
    with transaction.atomic():
        for i in range(12):
            audit_record(kind=EventKind.SETTING_CHANGED, actor=None, note=f"p{i}")
    qs = AuditEvent.objects.all()
    for ordering in [("at", "id"), ("-at", "-id")]:
        seen, _ = _walk(qs, ordering, 5)
        assert [e.pk for e in seen] == [e.pk for e in qs.order_by(*ordering)]


def test_walk_with_many_ties_in_the_first_field(days):
    # only two distinct kinds: the second field must break ties correctly
    seen, _ = _walk(days, ("kind", "id"), 3)
    assert len({d.pk for d in seen}) == 47 == len(seen)


def test_empty_queryset():
    page = keyset_paginate(CalendarDay.objects.filter(date__year=1900))
    assert page.items == []
    assert page.next_cursor is None
    assert page.limit == DEFAULT_LIMIT


def test_exact_fit_has_no_next_cursor(days):
    page = keyset_paginate(days, ordering=("date",), limit=47)
    assert len(page.items) == 47
    assert page.next_cursor is None


def test_default_ordering_is_newest_id_first(days):
    page = keyset_paginate(days, limit=3)
    assert [d.pk for d in page.items] == [d.pk for d in days.order_by("-id")[:3]]


def test_mixed_directions_are_refused(days):
    for ordering in [("-kind", "id"), ("kind", "-id"), ("date", "-id")]:
        with pytest.raises(ValueError, match="one direction"):
            keyset_paginate(days, ordering=ordering)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1, 1000])
def test_limit_out_of_bounds(days, limit):
    with pytest.raises(ValidationError) as info:
        keyset_paginate(days, limit=limit)
    assert info.value.detail == {"field": "limit"}


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
def test_limit_bounds_inclusive(days, limit):
    assert len(keyset_paginate(days, limit=limit).items) == min(limit, 47)


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "not base64 at all!",
        "YWJj",  # "abc": not JSON
        _cursor({"date": "2040-01-01"}),  # not a list
        _cursor("2040-01-01"),
        _cursor([]),  # wrong length
        _cursor(["2040-01-01", 1]),
        _cursor(["not a date"]),  # right shape, value of the wrong type
        _cursor([12345]),
        _cursor([{"a": 1}]),
        _cursor([None]),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),  # not UTF-8
    ],
)
def test_invalid_cursor_names_the_cursor_field(days, cursor):
    with pytest.raises(ValidationError) as info:
        keyset_paginate(days, ordering=("date",), cursor=cursor)
    assert info.value.detail == {"field": "cursor"}
    assert "游标" in info.value.message


def test_invalid_integer_cursor(days):
    for bad in (["x"], [None], [[1]]):
        with pytest.raises(ValidationError) as info:
            keyset_paginate(days, ordering=("-id",), cursor=_cursor(bad))
        assert info.value.detail == {"field": "cursor"}


def test_cursor_from_another_ordering_of_other_length_is_refused(days):
    page = keyset_paginate(days, ordering=("kind", "id"), limit=5)
    with pytest.raises(ValidationError):
        keyset_paginate(days, ordering=("date",), cursor=page.next_cursor)


def test_inserts_between_pages_newest_first_cause_no_repeats(days):
    """Newest first: rows added after page 1 are newer, so they never show up later."""
    original = [d.pk for d in days.order_by("-id")]
    page = keyset_paginate(days, ordering=("-id",), limit=10)
    seen = [d.pk for d in page.items]
    cursor = page.next_cursor
    n = 0
    while cursor:
        for _ in range(3):  # someone inserts between every fetch
            n += 1
            CalendarDay.objects.create(
                date=dt.date(YEAR, 12, 31) - dt.timedelta(days=n), kind="holiday"
            )
        page = keyset_paginate(days, ordering=("-id",), cursor=cursor, limit=10)
        seen.extend(d.pk for d in page.items)
        cursor = page.next_cursor
    assert seen == original
    assert len(seen) == len(set(seen))


def test_inserts_between_pages_ascending(days):
    """Ascending by date: a row inserted before the cursor is not shown; one after it is
    shown exactly once; nothing repeats or goes missing."""
    first = keyset_paginate(days, ordering=("date",), limit=10)
    last_date = first.items[-1].date
    before = CalendarDay.objects.create(date=last_date - dt.timedelta(days=1), kind="holiday")
    after = CalendarDay.objects.create(date=last_date + dt.timedelta(days=1), kind="holiday")
    seen = [d.pk for d in first.items]
    cursor = first.next_cursor
    while cursor:
        page = keyset_paginate(days, ordering=("date",), cursor=cursor, limit=10)
        seen.extend(d.pk for d in page.items)
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 48
    assert after.pk in seen
    assert before.pk not in seen


def test_deleting_the_cursor_row_does_not_break_the_walk(days):
    first = keyset_paginate(days, ordering=("date",), limit=10)
    first.items[-1].delete()
    page = keyset_paginate(days, ordering=("date",), cursor=first.next_cursor, limit=100)
    assert [d.pk for d in page.items] == [d.pk for d in days.order_by("date")[9:]]


def test_one_query_per_page(days, django_assert_num_queries):
    page = keyset_paginate(days, ordering=("date",), limit=10)
    with django_assert_num_queries(1):
        keyset_paginate(days, ordering=("date",), cursor=page.next_cursor, limit=10)


@pytest.mark.parametrize("payload", ["[Infinity]", "[1e400]", "[99999999999999999999999]", "[1.5]"])
def test_cursor_with_out_of_range_numbers_is_refused(db, payload):
    import base64

    from caidan.common.errors import ValidationError
    from caidan.common.models import CalendarDay
    from caidan.common.pagination import keyset_paginate

    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    with pytest.raises(ValidationError) as exc:
        keyset_paginate(CalendarDay.objects.all(), ordering=("-id",), cursor=cursor)
    assert exc.value.field == "cursor"


def _nested(depth: int) -> str:
    import base64

    return base64.urlsafe_b64encode(("[" * depth + "]" * depth).encode()).decode().rstrip("=")


@pytest.mark.parametrize("depth", [2, 1000, 100_000])
def test_a_cursor_nesting_lists_deep_is_refused_not_a_crash(days, depth):
    """json gives up on a list nested 1,000 deep with RecursionError (a 500 on every keyset
    list before); nested at all, or longer than any cursor made here, it names the cursor."""
    with pytest.raises(ValidationError) as info:
        keyset_paginate(days, ordering=("-id",), cursor=_nested(depth))
    assert info.value.detail == {"field": "cursor"}


def test_cursor_length_cap(days):
    """A valid cursor padded with JSON whitespace: accepted up to the cap, refused past it."""
    from caidan.common.pagination import CURSOR_MAX_LENGTH

    def padded(spaces: int) -> str:
        return base64.urlsafe_b64encode(f"[1{' ' * spaces}]".encode()).decode().rstrip("=")

    fits = max(n for n in range(CURSOR_MAX_LENGTH) if len(padded(n)) <= CURSOR_MAX_LENGTH)
    assert len(padded(fits)) <= CURSOR_MAX_LENGTH < len(padded(fits + 1))
    keyset_paginate(days, ordering=("-id",), cursor=padded(fits))
    with pytest.raises(ValidationError) as info:
        keyset_paginate(days, ordering=("-id",), cursor=padded(fits + 1))
    assert info.value.detail == {"field": "cursor"}


@pytest.mark.parametrize("path", ["/api/v1/orgs", "/api/v1/procurement/tenders"])
def test_a_deeply_nested_cursor_answers_400_on_the_api(world, client, path):
    resp = client.get(path, {"cursor": _nested(1000)})
    assert resp.status_code == 400
    assert resp.json()["detail"] == {"field": "cursor"}


def test_a_deeply_nested_cursor_on_a_page_is_no_500(world, client):
    resp = client.get("/orgs/directory/elderly/", {"cursor": _nested(1000)})
    assert resp.status_code < 500


def test_a_cursor_holding_a_nul_character_is_refused(world):
    """PostgreSQL's text refuses NUL (psycopg raises DataError: a 500 on a list ordered by a
    name or code); the cursor is refused before any query, on every database."""
    from caidan.accounts.models import Unit

    units = Unit.objects.all()
    keyset_paginate(units, ordering=("name", "id"), cursor=_cursor(["江苏路街道", 1]))
    with pytest.raises(ValidationError) as info:
        keyset_paginate(units, ordering=("name", "id"), cursor=_cursor(["江苏路\x00", 1]))
    assert info.value.detail == {"field": "cursor"}
