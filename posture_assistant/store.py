"""The break database: one SQLite row per event, committed when it happens.

The user's history is the product's memory, so: every write is committed
before the app moves on (WAL, synchronous=FULL, so neither kill -9 nor a
power cut loses it); the schema is versioned with PRAGMA user_version and
upgraded by migrations; a damaged file is moved aside, never deleted; a file
from a newer version is left untouched.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

DB_NAME = "events.sqlite3"
KINDS = frozenset({"app_started", "app_stopped", "prompted", "reminded", "done", "snoozed",
                   "skipped", "natural_break", "paused", "resumed", "clock_jump", "deferred"})


class StoreError(Exception):
    """str(e) is one line for the user."""


def _v1(con: sqlite3.Connection) -> None:
    con.execute("""CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,          -- UTC unix seconds
        utc_offset INTEGER NOT NULL, -- local offset from UTC at ts, in seconds
        kind TEXT NOT NULL,
        seconds REAL,              -- a length, e.g. a snooze's
        detail TEXT                -- JSON object or NULL
    )""")
    con.execute("CREATE INDEX events_ts ON events (ts)")


def _v2(con: sqlite3.Connection) -> None:
    # Checklist results refer to item ids, never to item text, so edits to
    # the content keep old runs readable.
    con.execute("""CREATE TABLE checklist_runs (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        utc_offset INTEGER NOT NULL,
        score REAL,                -- percent of answered yes/no items that are yes
        answers TEXT NOT NULL      -- JSON object: item id -> yes | no | skip
    )""")
    # Small facts about the user's choices that are not settings (e.g. that
    # they declined the checklist offer).
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


# MIGRATIONS[i] takes the schema from version i to i + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Event:
    id: int
    ts: float
    utc_offset: int
    kind: str
    seconds: float | None
    detail: dict | None


@dataclass(frozen=True)
class ChecklistRun:
    id: int
    ts: float
    utc_offset: int
    score: float | None
    answers: dict[str, str]


def local_day_bounds(now: float) -> tuple[float, float]:
    """[local midnight, next local midnight) around `now`; DST-safe."""
    t = time.localtime(now)
    start = time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))
    end = time.mktime((t.tm_year, t.tm_mon, t.tm_mday + 1, 0, 0, 0, 0, 0, -1))
    return start, end


class Store:
    def __init__(self, con: sqlite3.Connection | None, path: Path) -> None:
        self._con = con  # None: read-only and the file does not exist yet
        self.path = path

    # ---- opening ---------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, readonly: bool = False) -> tuple["Store", str | None]:
        path = Path(data_dir) / DB_NAME
        if readonly:
            return cls._open_readonly(path), None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as e:
            raise StoreError(_os_problem(path.parent, e)) from None
        notice = None
        try:
            con = _connect(path)
        except _Damaged:
            moved = _move_aside(path)
            notice = (f"The break database {path} was damaged; it was moved to {moved} "
                      "and a new one was started.")
            con = _connect(path)
        return cls(con, path), notice

    @classmethod
    def _open_readonly(cls, path: Path) -> "Store":
        if not path.exists():
            return cls(None, path)
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            version = con.execute("PRAGMA user_version").fetchone()[0]
            con.execute("SELECT count(*) FROM events").fetchone()
        except sqlite3.Error as e:
            raise StoreError(f"cannot read the break database {path}: {e}") from None
        if version > SCHEMA_VERSION:
            con.close()
            raise StoreError(_newer(path, version))
        return cls(con, path)

    # ---- writing ---------------------------------------------------------

    def record(self, kind: str, ts: float, seconds: float | None = None,
               detail: dict | None = None) -> Event:
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        offset = time.localtime(ts).tm_gmtoff
        text = json.dumps(detail, sort_keys=True) if detail is not None else None
        with self._con:  # commits before returning
            cur = self._con.execute(
                "INSERT INTO events (ts, utc_offset, kind, seconds, detail) VALUES (?,?,?,?,?)",
                (ts, offset, kind, seconds, text))
        return Event(cur.lastrowid, ts, offset, kind, seconds, detail)

    # ---- reading ---------------------------------------------------------

    def events(self, since: float | None = None, until: float | None = None,
               kinds: Iterable[str] | None = None) -> list[Event]:
        if self._con is None:
            return []
        sql, args = "SELECT id, ts, utc_offset, kind, seconds, detail FROM events WHERE 1", []
        if since is not None:
            sql += " AND ts >= ?"
            args.append(since)
        if until is not None:
            sql += " AND ts < ?"
            args.append(until)
        if kinds is not None:
            kinds = list(kinds)
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        rows = self._con.execute(sql + " ORDER BY ts, id", args).fetchall()
        return [Event(i, ts, off, k, s, json.loads(d) if d else None)
                for i, ts, off, k, s, d in rows]

    def counts(self, since: float, until: float) -> dict[str, int]:
        found = dict.fromkeys(sorted(KINDS), 0)
        if self._con is not None:
            found.update(self._con.execute(
                "SELECT kind, count(*) FROM events WHERE ts >= ? AND ts < ? GROUP BY kind",
                (since, until)).fetchall())
        return found

    def day_counts(self, now: float) -> dict[str, int]:
        return self.counts(*local_day_bounds(now))

    def last(self, kind: str | None = None) -> Event | None:
        found = self.events(kinds=[kind] if kind else None)
        return found[-1] if found else None

    def save_checklist(self, ts: float, answers: dict[str, str],
                       score: float | None) -> ChecklistRun:
        offset = time.localtime(ts).tm_gmtoff
        with self._con:
            cur = self._con.execute(
                "INSERT INTO checklist_runs (ts, utc_offset, score, answers) VALUES (?,?,?,?)",
                (ts, offset, score, json.dumps(answers, sort_keys=True)))
        return ChecklistRun(cur.lastrowid, ts, offset, score, dict(answers))

    def checklist_runs(self) -> list[ChecklistRun]:
        """Every saved run, oldest first."""
        if self._con is None or self._version() < 2:
            return []
        rows = self._con.execute(
            "SELECT id, ts, utc_offset, score, answers FROM checklist_runs ORDER BY ts, id")
        return [ChecklistRun(i, ts, off, score, json.loads(a)) for i, ts, off, score, a in rows]

    def get_meta(self, key: str) -> str | None:
        if self._con is None or self._version() < 2:
            return None
        row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._con:
            self._con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                              (key, value))

    def _version(self) -> int:
        # A read-only store may look at a file an older app version wrote.
        return self._con.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- helpers -------------------------------------------------------------


class _Damaged(Exception):
    pass


def _connect(path: Path) -> sqlite3.Connection:
    """Open (creating) and migrate; _Damaged if the file is not a sound database."""
    try:
        # Opened on the main thread, used by the app's loop thread (the only
        # user from then on), so the same-thread check would only get in the way.
        con = sqlite3.connect(path, timeout=5, isolation_level="DEFERRED",
                              check_same_thread=False)
    except sqlite3.Error as e:
        raise StoreError(f"cannot open the break database {path}: {e}") from None
    try:
        check = con.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise _Damaged
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(_newer(path, version))
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")
        _migrate(con, version)
    except sqlite3.DatabaseError as e:
        con.close()
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            raise StoreError(f"the break database {path} is locked by another program") from None
        if isinstance(e, sqlite3.OperationalError) and _is_os_level(e):
            raise StoreError(f"cannot open the break database {path}: {e}; check the "
                             f"permissions of {path.parent} or set data_dir") from None
        raise _Damaged from None
    except BaseException:
        con.close()
        raise
    return con


def _is_os_level(error: sqlite3.Error) -> bool:
    text = str(error)
    return any(s in text for s in ("unable to open", "readonly", "disk I/O", "read-only"))


def _migrate(con: sqlite3.Connection, version: int) -> None:
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with con:  # one transaction per step, version bump included
            MIGRATIONS[target - 1](con)
            con.execute(f"PRAGMA user_version = {target}")


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, target)
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                os.replace(companion, target.with_name(target.name + suffix))
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None
    return target


def _newer(path: Path, version: int) -> str:
    return (f"the break database {path} was written by a newer Posture Assistant (schema "
            f"{version}, this version knows {SCHEMA_VERSION}); upgrade Posture Assistant. "
            "The file was left untouched.")


def _os_problem(path: Path, error: OSError) -> str:
    return (f"cannot use {path}: {error.strerror or error}; check its permissions "
            "or set data_dir")
