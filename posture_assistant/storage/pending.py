"""Writes the running app could not make yet (a full or read-only disk, a
vanished data folder): kept in memory, in the order they were made and with
their own timestamps, until the database takes them, all in one transaction.

Readers see them too (counts, the checklist's facts), so the tray and
`status` stay true while the disk is away. They live only as long as the
process: a fallback file elsewhere was considered and left out, because the
places that would take it (the runtime folder, the temp folder) are
usually in memory as well, gone at the same logout or power cut, and a
second store to merge back would bring its own duplicates and ordering to
get wrong. The app says how many were lost if it is quit before the disk
is back (app/loop.py), and says so from the first failure on.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterator, Union


@dataclass(frozen=True)
class EventRow:
    ts: float
    utc_offset: int
    kind: str
    seconds: float | None
    detail: str | None  # JSON text, as stored

    def apply(self, con: sqlite3.Connection) -> int | None:
        return con.execute(
            "INSERT INTO events (ts, utc_offset, kind, seconds, detail) VALUES (?,?,?,?,?)",
            (self.ts, self.utc_offset, self.kind, self.seconds, self.detail)).lastrowid


@dataclass(frozen=True)
class RunRow:
    ts: float
    utc_offset: int
    score: float | None
    answers: str  # JSON text, as stored

    def apply(self, con: sqlite3.Connection) -> int | None:
        return con.execute(
            "INSERT INTO checklist_runs (ts, utc_offset, score, answers) VALUES (?,?,?,?)",
            (self.ts, self.utc_offset, self.score, self.answers)).lastrowid


@dataclass(frozen=True)
class MetaRow:
    key: str
    value: str

    def apply(self, con: sqlite3.Connection) -> int | None:
        con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (self.key, self.value))
        return None


Row = Union[EventRow, RunRow, MetaRow]


class Pending:
    def __init__(self) -> None:
        self._rows: list[Row] = []

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(list(self._rows))

    def add(self, row: Row) -> None:
        self._rows.append(row)

    def remove(self, row: Row) -> None:
        self._rows.remove(row)

    def clear(self) -> None:
        self._rows.clear()

    def events(self, since: float | None = None, until: float | None = None,
               kinds: frozenset[str] | None = None) -> list[EventRow]:
        return [r for r in self._rows if isinstance(r, EventRow)
                and (since is None or r.ts >= since) and (until is None or r.ts < until)
                and (kinds is None or r.kind in kinds)]

    def runs(self) -> list[RunRow]:
        return [r for r in self._rows if isinstance(r, RunRow)]

    def meta(self, key: str) -> str | None:
        """The latest value kept for `key`, or None."""
        values = [r.value for r in self._rows if isinstance(r, MetaRow) and r.key == key]
        return values[-1] if values else None
