"""Packages written as they are built, for exports of any size in a fixed amount of memory.

A package is one JSON object whose last member is the array of releases (or records):
``{"uri": …, "publishedDate": …, …, "releases": [`` is written first, then each process's
releases one at a time as ``each_process`` prefetches them in batches, then ``]}``. Nothing
but the current batch is ever held, so memory does not grow with the number of processes,
and the bytes are those of the whole package serialized at once (compact JSON, UTF-8).

Serialization is orjson's: compact, UTF-8, keys in insertion order — the same text as
``json.dumps(…, ensure_ascii=False, separators=(",", ":"))`` for these values (strings,
ints, floats of money, lists, dicts), several times faster.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from .prefetch import each_process
from .releases import package, record_for, releases_for

BATCH = 500  # processes prefetched at a time (about ten queries per batch)
GZIP_LEVEL = 6  # zlib's default: most of level 9's size at a fraction of its time


def dumps(obj) -> bytes:
    return orjson.dumps(obj)


@dataclass
class Tally:
    """What a package stream has written so far."""

    processes: int = 0
    items: int = 0  # releases, or records


def _frame(key: str, uri: str) -> tuple[bytes, bytes]:
    """The package's bytes before its first item and after its last."""
    text = dumps(package(key, [], uri=uri))
    closing = b"[]}"
    assert text.endswith(closing), text  # the items are the last member
    return text[: -len(closing)] + b"[", b"]}\n"


def release_package_chunks(
    proposals: Iterable | None = None,
    *,
    uri: str = "",
    batch: int = BATCH,
    tally: Tally | None = None,
    each: Callable[[Any, list[dict]], None] | None = None,
) -> Iterator[bytes]:
    """One release package with every release of ``proposals`` (default: every public
    process, prefetched ``batch`` at a time), as bytes, a process at a time. Proposals
    passed in must be prefetched (``each_process`` does it). ``each(proposal, releases)``
    is called for every process, e.g. to write its record from the same releases."""
    tally = tally if tally is not None else Tally()
    head, tail = _frame("releases", uri)
    yield head
    comma = b""
    for proposal in each_process(batch=batch) if proposals is None else proposals:
        parts = []
        releases = releases_for(proposal, prefetched=True)
        for release in releases:
            parts.append(comma)
            parts.append(dumps(release))
            comma = b","
            tally.items += 1
        tally.processes += 1
        if each is not None:
            each(proposal, releases)
        yield b"".join(parts)
    yield tail


def record_package_chunks(
    proposals: Iterable | None = None,
    *,
    uri: str = "",
    batch: int = BATCH,
    tally: Tally | None = None,
) -> Iterator[bytes]:
    """One record package with the record of each process, a record at a time."""
    tally = tally if tally is not None else Tally()
    head, tail = _frame("records", uri)
    yield head
    comma = b""
    for proposal in each_process(batch=batch) if proposals is None else proposals:
        yield comma + dumps(record_for(proposal, prefetched=True))
        comma = b","
        tally.processes += 1
        tally.items += 1
    yield tail


class AtomicFiles:
    """Files written to temporary names in their own directory and renamed into place on
    success, so a reader only ever sees a complete file; a ``.gz`` name is gzip-compressed.
    On an error every temporary file is removed and the old files stay."""

    def __init__(self, *paths: Path):
        self.paths = [Path(p) for p in paths]
        self._tmps: list[str] = []
        self._stack = ExitStack()
        self.files: list[IO[bytes]] = []

    def __enter__(self) -> list[IO[bytes]]:
        try:
            for path in self.paths:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
                self._tmps.append(tmp)
                raw = self._stack.enter_context(os.fdopen(fd, "wb"))
                if path.suffix == ".gz":
                    out = self._stack.enter_context(
                        gzip.GzipFile(
                            filename=path.name[: -len(".gz")],
                            fileobj=raw,
                            mode="wb",
                            compresslevel=GZIP_LEVEL,
                            mtime=0,
                        )
                    )
                else:
                    out = raw
                self.files.append(out)
        except BaseException:
            self._abort()
            raise
        return self.files

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._abort()
            return
        try:
            self._stack.close()  # flush and close every file (the gzip trailers first)
            for tmp, path in zip(self._tmps, self.paths, strict=True):
                os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from the web server
                os.replace(tmp, path)
        except BaseException:
            self._abort()
            raise

    def _abort(self) -> None:
        try:
            self._stack.close()
        finally:
            for tmp in self._tmps:
                if os.path.exists(tmp):
                    os.unlink(tmp)


def write_chunks(chunks: Iterable[bytes], *paths: Path) -> int:
    """Write ``chunks`` to each of ``paths`` at once (e.g. ``releases.json`` and
    ``releases.json.gz`` from one pass), atomically. Returns the bytes written (uncompressed)."""
    size = 0
    with AtomicFiles(*paths) as files:
        for chunk in chunks:
            for f in files:
                f.write(chunk)
            size += len(chunk)
    return size
