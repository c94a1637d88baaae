"""Bulk loading through PostgreSQL COPY, with complete rows.

``Copier(Model, ["id", "name", ...])`` writes the given columns of each row and fills every
other concrete column with the field's default (``auto_now`` fields get the load time), so a
column added to a model later still gets a value. Ids are given by the caller (``next_ids``)
and the table's identity sequence is moved past them afterwards (``finish``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models

BATCH_BYTES = 4 << 20


def text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _default(field: models.Field, now: dt.datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    db_default = getattr(field, "db_default", models.NOT_PROVIDED)
    if db_default is not models.NOT_PROVIDED:
        return _DB_DEFAULT
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name}: no value and no default")


_DB_DEFAULT = object()


class Copier:
    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.table = model._meta.db_table
        now = dt.datetime.now(dt.UTC)
        by_name = {}
        for f in model._meta.concrete_fields:
            by_name[f.name] = f
            by_name[f.attname] = f
            by_name[f.column] = f
        self.columns = [by_name[c].column for c in columns]
        given = set(self.columns)
        extra_cols, extra_vals = [], []
        for f in model._meta.concrete_fields:
            if f.column in given or getattr(f, "generated", False):
                continue
            if f.primary_key and isinstance(f, models.AutoField | models.BigAutoField):
                continue  # the sequence numbers it
            value = _default(f, now)
            if value is _DB_DEFAULT:
                continue  # the database fills it
            extra_cols.append(f.column)
            extra_vals.append(text(value))
        self.all_columns = self.columns + extra_cols
        self.suffix = ("\t" + "\t".join(extra_vals)) if extra_vals else ""
        self.count = 0

    def copy(self, rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in self.all_columns)
        sql = f'COPY "{self.table}" ({cols}) FROM STDIN'
        suffix = self.suffix
        n = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor
            with raw.copy(sql) as copy:
                buf: list[str] = []
                size = 0
                for row in rows:
                    line = "\t".join([text(v) for v in row]) + suffix + "\n"
                    buf.append(line)
                    size += len(line)
                    n += 1
                    if size >= BATCH_BYTES:
                        copy.write("".join(buf).encode())
                        buf, size = [], 0
                if buf:
                    copy.write("".join(buf).encode())
        self.count += n
        return n


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        table = model._meta.db_table
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608
        return cursor.fetchone()[0]


def finish(*models_: type[models.Model]) -> None:
    """Move each table's id sequence past the ids given by the load."""
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            seq = f"pg_get_serial_sequence('\"{table}\"', 'id')"
            top = f'(SELECT MAX(id) FROM "{table}")'  # noqa: S608 - a model's own table
            cursor.execute(f"SELECT setval({seq}, GREATEST({top}, 1))")


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable) -> int:
    return Copier(model, columns).copy(rows)
