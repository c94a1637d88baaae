"""Chinese text search that an index can serve, on one- and two-character words too.

Chinese has no spaces between words, so people search for a substring: 养老, 调解, 助餐.
``icontains`` finds it, but on PostgreSQL ``UPPER(title) LIKE '%养老%'`` can only be
answered by reading every row, and pg_trgm's trigram index extracts nothing from a
two-character word. Instead every searchable column gets a GIN index on
``caidan_grams(column)``: a ``tsvector`` whose lexemes are the column's single characters
and character pairs (ASCII letters lower-cased, runs of whitespace as one space). A query
word of one or two characters is then one lexeme looked up in the index, and it is found
exactly when it is a substring; a longer word is the AND of its pairs, and the index
answers a small superset that ``icontains`` rechecks on the rows found.

``text_match(q, "title", "description")`` is the one way a selector searches: every
whitespace-separated word of ``q`` must occur in one of the fields (ASCII
case-insensitive). ``phrase=True`` searches the whole of ``q`` as one string. On SQLite,
the development default, it is plain ``icontains`` with the same meaning.

The function is created by ``common``'s migration 0004; each app's migration creates the
indexes on its own columns with :func:`gram_index_operation`.
"""

from __future__ import annotations

import re
import time
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from functools import reduce
from operator import and_, or_

from django.db import connection, connections, migrations, transaction
from django.db.models import BooleanField, F, Q, Value
from django.db.models.expressions import Func
from django.utils.translation import gettext_lazy as _

#: Words beyond this many are ignored (each adds an index lookup).
MAX_WORDS = 5
#: Character pairs looked up per word; a longer word's other pairs are left to the recheck.
MAX_PAIRS = 12

_SPACE = re.compile(r"\s+")
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

#: ``caidan_grams(text)``: the distinct characters (but not the space) and character pairs
#: of the text, ASCII lower-cased, whitespace runs folded to one space. IMMUTABLE, so an
#: index may be built on it.
FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION caidan_grams(t text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  s text := lower(regexp_replace(t, '\s+', ' ', 'g') COLLATE "C");
  n int := length(s);
  a text[] := '{}';
  c text;
  p text := '';
BEGIN
  FOR i IN 1..n LOOP
    c := substr(s, i, 1);
    IF c <> ' ' THEN a := a || c; END IF;
    IF i > 1 THEN a := a || (p || c); END IF;
    p := c;
  END LOOP;
  RETURN array_to_tsvector(a);
END $$;
"""
DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS caidan_grams(text);"


def normalize(text: str) -> str:
    """What ``caidan_grams`` does to text before cutting it: ASCII lower case, one space."""
    return _SPACE.sub(" ", text).translate(_ASCII_LOWER)


def words(q: str) -> list[str]:
    """The distinct words of a query, in order, at most :data:`MAX_WORDS`."""
    seen: list[str] = []
    for w in normalize(q).split(" "):
        if w and w not in seen:
            seen.append(w)
    return seen[:MAX_WORDS]


def _lexeme(g: str) -> str:
    return "'" + g.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(word: str) -> str:
    """The ``tsquery`` text that finds rows whose grams contain every pair of ``word`` (or
    the word itself, when it is one character)."""
    w = normalize(word)
    if len(w) <= 2:
        grams = [w]
    else:
        grams = []
        for i in range(len(w) - 1):
            g = w[i : i + 2]
            if g not in grams:
                grams.append(g)
        grams = grams[:MAX_PAIRS]
    return " & ".join(_lexeme(g) for g in grams)


#: Columns whose grams are kept in a stored generated column ``<column>_grams`` (made by
#: :func:`stored_grams_operation`): the short titles and names that the big lists search.
#: Checking a stored tsvector costs about half a microsecond a row where computing
#: ``caidan_grams`` costs 15–20, which is what an ordered scan for a common word pays on
#: every row it passes (调解 at 1 M organizations: 18 ms → 0.3 ms). Long texts (descriptions,
#: bodies) keep an expression index: storing their grams would cost more than it saves.
STORED_GRAMS: frozenset[tuple[str, str]] = frozenset(
    {
        ("orgs_organization", "name"),
        ("projects_proposal", "title"),
        ("procurement_tender", "title"),
        ("contracts_contract", "title"),
    }
)


def grams_column(column: str) -> str:
    """The stored generated column that holds ``column``'s grams."""
    return f"{column}_grams"


class GramsMatch(Func):
    """``caidan_grams(<field>) @@ '<query>'::tsquery`` (PostgreSQL only), a condition the
    field's gram index serves; for a column in :data:`STORED_GRAMS`, its stored grams
    column ``<field>_grams @@ '<query>'`` instead."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, query: str):
        super().__init__(F(field), Value(query))

    def as_sql(self, compiler, connection, **extra):
        col = self.source_expressions[0]
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        target = getattr(col, "target", None)
        alias = getattr(col, "alias", None)
        if (
            target is not None
            and alias
            and (target.model._meta.db_table, target.column) in (STORED_GRAMS)
        ):
            qn = compiler.quote_name_unless_alias
            stored = f"{qn(alias)}.{connection.ops.quote_name(grams_column(target.column))}"
            return f"{stored} @@ ({query_sql})::tsquery", tuple(query_params)
        field_sql, field_params = compiler.compile(col)
        return (
            f"caidan_grams({field_sql}) @@ ({query_sql})::tsquery",
            (*field_params, *query_params),
        )


def _word_match(word: str, fields: tuple[str, ...], *, indexed: bool) -> Q:
    contains = reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields))
    if not indexed:
        return contains
    grams = reduce(or_, (Q(GramsMatch(f, tsquery(word))) for f in fields))
    if len(word) <= 2:
        # a one- or two-character word is in the grams exactly when it is in the text;
        # leaving out the LIKE keeps the planner's row estimate honest
        return grams
    return grams & contains


def text_match(q: str, *fields: str, phrase: bool = False) -> Q:
    """Rows where every word of ``q`` (or, with ``phrase``, the whole of ``q``) occurs in
    one of ``fields``. An empty query matches everything."""
    if not fields:
        raise ValueError("text_match needs at least one field")
    terms = ([normalize(q).strip()] if phrase else words(q)) if q else []
    terms = [t for t in terms if t]
    if not terms:
        return Q()
    indexed = connection.vendor == "postgresql"
    return reduce(and_, (_word_match(t, fields, indexed=indexed) for t in terms))


#: Up to this many related rows, a search through a relation becomes a list of ids, which
#: PostgreSQL combines with the record's other indexed conditions (a rare word: few rows to
#: fetch). Above it, the word is matched through the join (a common word: the record's own
#: ordered scan soon finds a page, checking each row's related row by its primary key).
RELATED_ID_LIMIT = 500


_shared_lookups: ContextVar[dict | None] = ContextVar("caidan_shared_lookups", default=None)


class _Session:
    """What one :func:`lookups_shared` block keeps: the related lookups made, and the
    databases on which its transaction already rules out the plans a probe never wants."""

    def __init__(self, stack: ExitStack):
        self.memo: dict = {}
        self.stack = stack
        self.planner_set: dict[str, bool] = {}  # alias -> whether the block opened the transaction


_session: ContextVar[_Session | None] = ContextVar("caidan_search_session", default=None)


@contextmanager
def lookups_shared():
    """Within the block, :func:`related_match` looks each related table up once per query
    (the portal search finds contracts, awards and evaluations by the same organizations'
    name), and the probes of :func:`searched` share one transaction whose planner settings
    are set once (a search of every record type is one round trip fewer per probe)."""
    with ExitStack() as stack:
        session = _Session(stack)
        token = _session.set(session)
        memo_token = _shared_lookups.set(session.memo)
        try:
            yield
            for alias, outermost in session.planner_set.items():
                if not outermost:  # the enclosing transaction goes on: give its settings back
                    _planner_for_probes(alias, reset=True)
        finally:
            _shared_lookups.reset(memo_token)
            _session.reset(token)


def _related_ids(q: str, model, field: str) -> list | None:
    """The keys of ``model`` rows holding every word of ``q`` in ``field`` (up to
    :data:`RELATED_ID_LIMIT` + 1), or None when the statistics call the word common."""
    memo = _shared_lookups.get()
    key = (q, model._meta.label, field)
    if memo is not None and key in memo:
        return memo[key]
    found = model.objects.filter(text_match(q, field)).order_by()
    if connection.vendor == "postgresql" and _estimated_rows(found.values("pk")) > PROBE_LIMIT:
        # common by the statistics (a rare word is estimated far below): a gram index
        # cannot stop at the first rows, so listing 501 of 200,000 organizations named 养老
        # would read them all (16 ms at 1 M); the join checks each record's row instead
        ids = None
    else:
        ids = list(found.values_list("pk", flat=True)[: RELATED_ID_LIMIT + 1])
    if memo is not None:
        memo[key] = ids
    return ids


def related_match(q: str, model, field: str, path: str) -> Q:
    """Records whose related ``model`` row (reached through ``path``) has every word of ``q``
    in ``field``: searched on the related table's own gram index first."""
    ids = _related_ids(q, model, field)
    if ids is None or len(ids) > RELATED_ID_LIMIT:
        return text_match(q, f"{path}__{field}")
    return Q(**{f"{path}__in": ids})


#: A search the planner expects to match at most this many rows is first answered by
#: :func:`searched`'s probe on the gram indexes alone.
PROBE_LIMIT = 10_000


#: The planner's estimates, kept this many seconds: they change only when the statistics
#: do (ANALYZE), and a popular search is asked again and again.
ESTIMATE_SECONDS = 300
_ESTIMATES: dict[tuple, tuple[float, float]] = {}
_ESTIMATES_MAX = 2048


def forget_estimates() -> None:
    """Drop the kept estimates (tests start each from none)."""
    _ESTIMATES.clear()


def _estimate_key(qs) -> tuple:
    """What a query's estimate depends on, without compiling it (compiling the SQL to look
    the estimate up cost a third of a whole portal search): the database, the table, the
    conditions (their ``repr`` names every column, lookup and value), the columns read and
    the order."""
    query = qs.query
    return (
        qs.db,
        query.model._meta.db_table,
        repr(query.where),
        tuple(query.values_select),
        tuple(map(str, query.order_by)),
        query.low_mark,
        query.high_mark,
    )


def _estimated_rows(qs) -> float:
    from django.core.exceptions import EmptyResultSet, FullResultSet

    key = _estimate_key(qs)
    now = time.monotonic()
    cached = _ESTIMATES.get(key)
    if cached is not None and now - cached[1] < ESTIMATE_SECONDS:
        return cached[0]
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. no related row holds the word: nothing to find
        return 0.0
    except FullResultSet:
        return float("inf")
    with connections[qs.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns json already parsed; be safe
        import json

        plan = json.loads(plan)
    rows = float(plan[0]["Plan"]["Plan Rows"])
    if len(_ESTIMATES) >= _ESTIMATES_MAX:
        _ESTIMATES.clear()
    _ESTIMATES[key] = (rows, now)
    return rows


#: The planner settings of a probe: it lists the keys of few rows (a rare word, a short
#: list of related keys), so the plan is to start from them (the gram index, the list) and
#: look each related row up by its key. No ordered walk is asked for, so a table scan is
#: the plan to rule out; with a related table's row count misjudged (the contracts of 200
#: organizations: 5,500 expected, 117 found) PostgreSQL hashes every published evaluation
#: to join them (70 ms at 1 M, 13 ms by nested loop); and the few rows are not worth
#: starting parallel workers for (10 ms for 0.3 ms of work). Index scans stay.
PROBE_PLANNER: dict[str, str] = {
    "enable_seqscan": "off",
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "max_parallel_workers_per_gather": "0",
}
_PROBE_VALUES = ", ".join(f"('{name}', '{value}')" for name, value in PROBE_PLANNER.items())
_PROBE_NAMES = ", ".join(f"'{name}'" for name in PROBE_PLANNER)
#: One statement that sets :data:`PROBE_PLANNER` for the rest of the transaction.
PROBE_PLANNER_SQL = (
    "SELECT set_config(s.name, s.value, true) "  # noqa: S608 - constants above, no input
    f"FROM (VALUES {_PROBE_VALUES}) AS s(name, value)"
)
#: One statement that gives the transaction back the settings it had.
PROBE_PLANNER_RESET_SQL = (
    "SELECT set_config(name, reset_val, true) FROM pg_settings "  # noqa: S608 - constants
    f"WHERE name IN ({_PROBE_NAMES})"
)


def _planner_for_probes(alias: str, *, reset: bool = False) -> None:
    """Rule out (or, with ``reset``, give back) the plans of :data:`PROBE_PLANNER` for the
    rest of the current transaction on ``alias``."""
    with connections[alias].cursor() as cursor:
        cursor.execute(PROBE_PLANNER_RESET_SQL if reset else PROBE_PLANNER_SQL)


def _probe(rows) -> list:
    """``list(rows)`` (a query expected to find few rows) with the planner settings of
    :data:`PROBE_PLANNER`. Inside :func:`lookups_shared`, the block's one transaction on
    that database is told once."""
    alias = rows.db
    session = _session.get()
    if session is not None:
        if alias not in session.planner_set:
            outermost = not connections[alias].in_atomic_block
            session.stack.enter_context(transaction.atomic(using=alias, savepoint=False))
            _planner_for_probes(alias)
            session.planner_set[alias] = outermost
        return list(rows)
    outermost = not connections[alias].in_atomic_block
    with transaction.atomic(using=alias, savepoint=False):
        _planner_for_probes(alias)
        found = list(rows)
        if not outermost:
            # a local setting lasts to the end of the outermost transaction: give the rest
            # of it back its settings (an error aborts that transaction anyway)
            _planner_for_probes(alias, reset=True)
    return found


def _probe_ids(qs, limit: int) -> list:
    """The primary keys of up to ``limit`` rows of ``qs``, found through the gram indexes
    (a bitmap scan: the planner is told not to scan tables nor hash them, see
    :data:`PROBE_PLANNER`)."""
    return _probe(qs.order_by().values_list("pk", flat=True)[:limit])


def _needs_probe(node) -> bool:
    """Whether a condition holds a gram lookup or a list of related keys: the planner
    cannot tell how rare either is, and may walk the list's order past most of the table
    (awards by the ids of the organizations named 助浴 at 1 M: 270 ms). An equality (a
    reference number, a credit code) needs no estimate or probe: its own index answers it."""
    if isinstance(node, GramsMatch):
        return True
    if isinstance(node, Q):
        return any(_needs_probe(child) for child in node.children)
    if isinstance(node, tuple) and len(node) == 2:
        lookup, value = node
        if isinstance(lookup, str) and lookup.endswith("__in"):
            return isinstance(value, list | tuple | set | frozenset)
        return _needs_probe(value)
    return False


def searched(qs, match: Q):
    """``qs.filter(match)`` for a search condition built by :func:`text_match` (and
    :func:`related_match`), in the form PostgreSQL answers fastest.

    A list ordered by its key finds a page of a common word soonest by walking the key
    index and checking each row's grams: it passes about 25 rows a hit for 调解. For a rare
    word (助浴, one row in 5,000) the same walk passes most of the table, and the planner
    cannot tell the two apart: a gram outside the most common elements of the column's
    statistics is estimated at the same floor (0.3 % of rows at 1 M), however rare it is.
    So a search the planner expects to match at most :data:`PROBE_LIMIT` rows is first
    looked up on the gram indexes alone; if it matches that few, the list becomes those
    rows by primary key (one index lookup each); if not, the key walk it would have done.
    SQLite, a search that is common by the statistics, and a condition with neither grams
    nor a list of keys (a reference number) go straight to the filter. The estimate and the
    probe ask the database the list is read from (a replica, for a public page)."""
    found = _expected_rare(qs, match)
    ids = None if found is None else _probed_keys(found)
    return qs.filter(match) if ids is None else qs.filter(pk__in=ids)


def _expected_rare(qs, match: Q):
    """``qs.filter(match)`` when the search is one to look up on the indexes alone:
    PostgreSQL, a condition with grams or a list of keys, and expected by the planner to
    match at most :data:`PROBE_LIMIT` rows; None when the filter should be walked."""
    if not match or connection.vendor != "postgresql" or not _needs_probe(match):
        return None
    found = qs.filter(match)
    return None if _estimated_rows(found) > PROBE_LIMIT else found


def _probed_keys(found) -> list | None:
    """The keys of ``found`` through the indexes alone, or None when there are more than
    :data:`PROBE_LIMIT` (the estimate was wrong: walk instead)."""
    ids = _probe_ids(found, PROBE_LIMIT + 1)
    return None if len(ids) > PROBE_LIMIT else ids


def sort_rows(rows: list[dict], order) -> list[dict]:
    """``values()`` rows sorted as ``order_by(*order)`` sorts them (nulls last)."""
    rows = list(rows)
    for f in reversed(list(order)):  # stable sorts, least significant key first
        name = str(f).lstrip("-")
        rows.sort(key=lambda r, n=name: (r[n] is None, r[n]), reverse=str(f).startswith("-"))
    return rows


#: Up to this many rows a rare search finds are read whole by its probe and sorted in
#: Python (one query instead of the keys and then the rows by key).
READ_WHOLE = 500


def probed_rows(qs, match: Q, *, limit: int) -> list[dict] | None:
    """At most ``limit`` rows of ``qs`` (a ``values()`` query whose rows hold its order
    fields) matching ``match``, in ``qs``'s order, when the search is one to look up on
    the indexes alone (see :func:`searched`); None when the filter should be walked.

    Up to :data:`READ_WHOLE` rows are read by the probe itself and sorted here: asked for
    in order, PostgreSQL may walk the order's index past every row to find a few hundred
    (awards for 助浴 at 1 M: 12 ms, against 2 ms)."""
    found = _expected_rare(qs, match)
    if found is None:
        return None
    rows = _probe(found.order_by()[: READ_WHOLE + 1])
    if len(rows) <= READ_WHOLE:
        return sort_rows(rows, qs.query.order_by)[:limit]
    ids = _probed_keys(found)
    return None if ids is None else list(qs.filter(pk__in=ids)[:limit])


#: The longest query a search box takes.
MAX_QUERY_LENGTH = 100


def clean_query(q: object, *, field: str = "q") -> str:
    """A search query from a request: trimmed, at most :data:`MAX_QUERY_LENGTH` characters
    (longer is refused, naming the field)."""
    from caidan.common.codes import Common
    from caidan.common.errors import field_error

    text = str(q or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise field_error(
            field,
            _("搜索词最多 %(MAX_QUERY_LENGTH)s 个字。") % {"MAX_QUERY_LENGTH": MAX_QUERY_LENGTH},
            code=Common.OUT_OF_RANGE,
        )
    return text


def is_phrase_query(q: str) -> bool:
    """Whether ``q`` has more than one word (so a phrase match can rank above the rest)."""
    return len(words(q)) > 1


# --- migrations -------------------------------------------------------------------------


def _create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL, params=None)


def _drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTION_SQL, params=None)


def function_operation() -> migrations.RunPython:
    """Create (or replace) ``caidan_grams`` on PostgreSQL; nothing on other databases."""
    return migrations.RunPython(_create_function, _drop_function)


def stored_grams_operation(table: str, column: str, index: str) -> migrations.RunPython:
    """A migration step (PostgreSQL only) that keeps ``column``'s grams in a stored
    generated column ``<column>_grams`` and moves the gram index ``index`` onto it (the
    column must be listed in :data:`STORED_GRAMS`). Django's model does not know the
    column: the database fills it on every insert and update. A later migration that
    changes ``column``'s type must drop the generated column first and run this again."""
    stored = grams_column(column)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION_SQL, params=None)
        schema_editor.execute(
            f'ALTER TABLE {table} ADD COLUMN IF NOT EXISTS "{stored}" tsvector '
            f'GENERATED ALWAYS AS (caidan_grams("{column}")) STORED',
            params=None,
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}", params=None)
        schema_editor.execute(
            f'CREATE INDEX {index} ON {table} USING gin ("{stored}")', params=None
        )
        # the planner's estimate of a word (searched() asks it) needs the column's statistics
        schema_editor.execute(f"ANALYZE {table}", params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}", params=None)
        schema_editor.execute(f'ALTER TABLE {table} DROP COLUMN IF EXISTS "{stored}"', params=None)
        schema_editor.execute(
            f'CREATE INDEX {index} ON {table} USING gin (caidan_grams("{column}"))', params=None
        )

    return migrations.RunPython(forwards, backwards)


def gram_index_operation(table: str, indexes: dict[str, str]) -> migrations.RunPython:
    """A migration step creating ``{index name: column}`` gram indexes on ``table`` (on
    PostgreSQL; other databases search without them)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION_SQL, params=None)
        for name, column in indexes.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (caidan_grams("{column}"))',
                params=None,
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)

    return migrations.RunPython(forwards, backwards)
