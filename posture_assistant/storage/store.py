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

from posture_assistant.core.events import EventKind
from posture_assistant.i18n import _

DB_NAME = "events.sqlite3"
# Validated here, not by a CHECK in SQL, so a new kind needs no migration;
# the core's vocabulary is the list.
KINDS = frozenset(kind.value for kind in EventKind)
BUSY_TIMEOUT = 5.0  # seconds; the app and a `checklist` window may write at once

# SQLite's primary result codes that mean "this file is not a sound database".
# Anything else (permissions, disk full, locked) is a problem with the
# surroundings, and moving the file aside would not fix it.
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite database file


class StoreError(Exception):
    """str(e) is one line for the user."""


# ---- schema --------------------------------------------------------------
#
# A migration gets a connection inside an open transaction and must not
# commit (so no executescript, which commits first): _migrate commits it
# together with the version bump, or rolls both back.


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


# MIGRATIONS[i] takes the schema from version i to i + 1. Append, never edit:
# users' files were made by the old steps.
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
    """[local midnight, next local midnight) around `now`.

    mktime with isdst=-1 works out the offset in force at each midnight, so
    DST days come out 23 or 25 hours long; where midnight itself is skipped
    (e.g. Santiago) it lands on the first instant of the day.
    """
    t = time.localtime(now)
    start = time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))
    end = time.mktime((t.tm_year, t.tm_mon, t.tm_mday + 1, 0, 0, 0, 0, 0, -1))
    return start, end


class Store:
    path: Path

    def __init__(self, con: sqlite3.Connection | None, path: Path) -> None:
        self._con = con  # None: read-only and there is no database yet
        self.path = path

    # ---- opening ---------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, readonly: bool = False) -> tuple["Store", str | None]:
        """(store, notice): the notice, if any, is one line to show the user."""
        path = Path(data_dir) / DB_NAME
        if readonly:
            return cls._open_readonly(path), None
        _prepare(path)
        try:
            return cls(_connect(path), path), None
        except _Damaged:
            pass
        moved = _move_aside(path)
        notice = (_("The break database {path} was damaged; it was moved to {moved} and "
                    "a new one was started.").format(path=path, moved=moved))
        _prepare(path)
        try:
            con = _connect(path)
        except _Damaged:  # a brand-new file cannot be damaged, unless the disk is
            raise StoreError(_("cannot start a new break database {path}: it is unreadable right "
                               "after being created; check the disk").format(path=path)) from None
        return cls(con, path), notice

    @classmethod
    def _open_readonly(cls, path: Path) -> "Store":
        # Never creates, moves or upgrades anything: `status` may run while
        # the app is stopped, or alongside it.
        try:
            if not path.exists():
                return cls(None, path)
        except OSError as e:
            raise StoreError(_os_problem(path, e)) from None
        try:
            version = _judge(path)
        except _Damaged:
            raise StoreError(_("cannot read the break database {path}: it is damaged; start "
                               "Posture Assistant to move it aside and begin a new one").format(
                                   path=path)) from None
        if version == 0:  # created but never set up (killed on first start)
            return cls(None, path)
        try:
            con = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT,
                                  check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(_("cannot read the break database {path}: {e}").format(
                path=path, e=e)) from None
        return cls(con, path)

    # ---- writing ---------------------------------------------------------

    def record(self, kind: str, ts: float, seconds: float | None = None,
               detail: dict | None = None) -> Event:
        """Store one event; it is on disk before this returns."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")  # not for users
        if detail is not None and not isinstance(detail, dict):
            raise TypeError(f"detail must be a dict or None, not {type(detail).__name__}")
        offset = time.localtime(ts).tm_gmtoff
        text = json.dumps(detail, sort_keys=True) if detail is not None else None
        con = self._writable()
        with con:  # commits (synchronously, see _connect) before returning
            cur = con.execute(
                "INSERT INTO events (ts, utc_offset, kind, seconds, detail) VALUES (?,?,?,?,?)",
                (ts, offset, kind, seconds, text))
        return Event(cur.lastrowid, ts, offset, kind, seconds, detail)

    def save_checklist(self, ts: float, answers: dict[str, str],
                       score: float | None) -> ChecklistRun:
        offset = time.localtime(ts).tm_gmtoff
        con = self._writable()
        with con:
            cur = con.execute(
                "INSERT INTO checklist_runs (ts, utc_offset, score, answers) VALUES (?,?,?,?)",
                (ts, offset, score, json.dumps(answers, sort_keys=True)))
        return ChecklistRun(cur.lastrowid, ts, offset, score, dict(answers))

    def set_meta(self, key: str, value: str) -> None:
        con = self._writable()
        with con:
            con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ---- reading ---------------------------------------------------------

    def events(self, since: float | None = None, until: float | None = None,
               kinds: Iterable[str] | None = None) -> list[Event]:
        """Events with since <= ts < until, oldest first."""
        where, args = _filters(since, until, kinds)
        return self._select_events(f"{where} ORDER BY ts, id", args)

    def last(self, kind: str | None = None) -> Event | None:
        where, args = _filters(None, None, None if kind is None else [kind])
        found = self._select_events(f"{where} ORDER BY ts DESC, id DESC LIMIT 1", args)
        return found[0] if found else None

    def last_run(self) -> list[Event]:
        """The rows of the latest run, from its `app_started` on, in the order
        they were written (by id, not time: a clock set back must not mix
        two runs); [] if no run was ever recorded."""
        return self._select_events(
            "WHERE id >= (SELECT max(id) FROM events WHERE kind = ?) ORDER BY id",
            [EventKind.APP_STARTED.value])

    def counts(self, since: float, until: float) -> dict[str, int]:
        """How many of each kind in [since, until); every kind is present."""
        found = dict.fromkeys(sorted(KINDS), 0)
        if self._con is not None:
            found.update(self._con.execute(
                "SELECT kind, count(*) FROM events WHERE ts >= ? AND ts < ? GROUP BY kind",
                (since, until)).fetchall())
        return found

    def day_counts(self, now: float) -> dict[str, int]:
        """counts() for the local calendar day that contains `now`."""
        return self.counts(*local_day_bounds(now))

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

    # ---- closing ---------------------------------------------------------

    def close(self) -> None:
        # The closed connection is kept, not dropped, so later use raises
        # sqlite3.ProgrammingError instead of quietly reading as empty.
        if self._con is not None:
            self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals -------------------------------------------------------

    def _select_events(self, tail: str, args: list) -> list[Event]:
        if self._con is None:
            return []
        rows = self._con.execute(
            "SELECT id, ts, utc_offset, kind, seconds, detail FROM events " + tail, args)
        return [Event(i, ts, off, k, s, json.loads(d) if d is not None else None)
                for i, ts, off, k, s, d in rows]

    def _writable(self) -> sqlite3.Connection:
        if self._con is None:
            raise ValueError(f"{self.path} was opened read-only and does not exist")  # not for users
        return self._con

    def _version(self) -> int:
        # A read-only store may look at a file an older app version wrote.
        return _user_version(self._con)


# ---- helpers -------------------------------------------------------------


class _Damaged(Exception):
    """The file is not a sound SQLite database: move it aside."""


def _filters(since: float | None, until: float | None,
             kinds: Iterable[str] | None) -> tuple[str, list]:
    clauses, args = ["1"], []
    if since is not None:
        clauses.append("ts >= ?")
        args.append(since)
    if until is not None:
        clauses.append("ts < ?")
        args.append(until)
    if kinds is not None:
        kinds = list(kinds)
        clauses.append(f"kind IN ({','.join('?' * len(kinds))})")
        args += kinds
    return "WHERE " + " AND ".join(clauses), args


def _prepare(path: Path) -> None:
    """Make the directory and the file exist, or say in one line why not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Opening the file ourselves first yields the OS's reason (permission
        # denied, is a directory, read-only file system) where SQLite would
        # only say "unable to open database file"; it also makes a new file
        # private (SQLite gives -wal and -shm the same mode).
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None


def _connect(path: Path) -> sqlite3.Connection:
    """Open an existing-or-empty file read-write and bring it up to date.

    Raises _Damaged if the file is not a sound database, StoreError for
    everything the user must sort out (newer schema, permissions, disk).
    """
    _judge(path)
    # Opened on the main thread, used by the app's loop thread (the only
    # user from then on), so the same-thread check would only get in the way.
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level="DEFERRED",
                              check_same_thread=False)
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    try:
        con.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before record() returns, power cut included.
        # Events are a few an hour, so the fsyncs cost nothing.
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")
        _migrate(con, path)
    except sqlite3.Error as e:
        con.close()
        raise _problem(path, e) from None
    except BaseException:
        con.close()
        raise
    return con


def _judge(path: Path) -> int:
    """The file's schema version, if it is a sound database we may use.

    Raises _Damaged or StoreError. Only reads: a read-write connection, on
    closing, would merge the WAL into the file, changing the bytes of a
    damaged file we are about to move aside or of a newer app's file we
    promised to leave alone.
    """
    try:
        with open(path, "rb") as f:
            magic = f.read(len(_MAGIC))
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None
    if magic and magic != _MAGIC:
        # Not SQLite at all: move it aside before SQLite touches its -shm.
        raise _Damaged
    try:
        con = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT)
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    try:
        version = _user_version(con)
        if version > SCHEMA_VERSION:
            raise StoreError(_newer(path, version))
        if con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise _Damaged
        return version
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    finally:
        con.close()


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    # One transaction per step, version bump included, so a crash mid-upgrade
    # leaves the file at the old version, not half-upgraded (which the next
    # open would take for damage). The explicit BEGIN matters: Python's
    # sqlite3 does not open a transaction for CREATE/ALTER by itself.
    # IMMEDIATE takes the write lock before the version is read, so two
    # processes opening an old file at once upgrade it once.
    while (version := _user_version(con)) < SCHEMA_VERSION:
        con.execute("BEGIN IMMEDIATE")
        try:
            version = _user_version(con)
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](con)
                con.execute(f"PRAGMA user_version = {version + 1}")
            con.commit()
        except sqlite3.Error as e:
            con.rollback()
            if _is_damage(e) or _is_busy(e):
                raise
            raise StoreError(_("cannot upgrade the break database {path} from schema {version} to "
                               "{value}: {e}; it was left as it was").format(
                                   path=path, version=version, value=version + 1, e=e)) from None
        except BaseException:
            con.rollback()
            raise


def _user_version(con: sqlite3.Connection) -> int:
    return con.execute("PRAGMA user_version").fetchone()[0]


def _readonly_uri(path: Path) -> str:
    # as_uri() percent-encodes, so a '?', '#' or '%' in the path stays part
    # of the file name instead of starting SQLite's URI parameters.
    return path.absolute().as_uri() + "?mode=ro"


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else code & 0xFF  # extended code -> primary


def _is_damage(error: sqlite3.Error) -> bool:
    code = _code(error)
    if code is not None:
        return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(error)  # Python 3.10: only the message to go on
    return "file is not a database" in text or "malformed" in text  # not for users


def _is_busy(error: sqlite3.Error) -> bool:
    code = _code(error)
    if code is not None:
        return code in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(error)


def _problem(path: Path, error: sqlite3.Error) -> Exception:
    """The exception to raise for a SQLite error while opening `path`."""
    if _is_damage(error):
        return _Damaged()
    if _is_busy(error):
        return StoreError(_("the break database {path} is in use by another program ({error}); "
                            "try again in a moment").format(path=path, error=error))
    return StoreError(_("cannot use the break database {path}: {error}; check the "
                        "permissions of {parent} and the free disk space, or set data_dir").format(
                            path=path, error=error, parent=path.parent))


def _move_aside(path: Path) -> Path:
    """Rename path (and its -wal and -shm) to a free .corrupt-<stamp> name."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = f"{path.name}.corrupt-{stamp}"
    target, n = path.with_name(base), 1
    # All three names must be free: os.replace would overwrite a taken one.
    while any(os.path.lexists(f"{target}{s}") for s in ("", "-wal", "-shm")):
        n += 1
        target = path.with_name(f"{base}-{n}")
    try:
        os.replace(path, target)
        # The WAL goes too: left beside the new file, SQLite would replay it there.
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{path}{suffix}")
            if os.path.lexists(companion):
                os.replace(companion, f"{target}{suffix}")
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None
    return target


def _newer(path: Path, version: int) -> str:
    return (_("the break database {path} was written by a newer Posture Assistant "
              "(schema {version}, this version knows {SCHEMA_VERSION}); upgrade "
              "Posture Assistant; the file was left untouched").format(
                  path=path, version=version, SCHEMA_VERSION=SCHEMA_VERSION))


def _os_problem(path: Path, error: OSError) -> str:
    where = Path(error.filename) if error.filename else path
    reason = error.strerror or str(error)
    if isinstance(error, FileExistsError):  # mkdir of something that is a file
        reason = _("it exists and is not a directory")
    return _("cannot use {where}: {reason}; check the permissions of {parent} or "
             "set data_dir").format(where=where, reason=reason, parent=where.parent)
