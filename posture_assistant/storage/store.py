"""The break database: one SQLite row per event, committed when it happens.

The user's history is the product's memory, so: every write is committed
before the app moves on (WAL, synchronous=FULL, so neither kill -9 nor a
power cut loses it); the schema is versioned with PRAGMA user_version and
upgraded by migrations; a damaged file (or -wal) has its readable rows saved
into a new file and is kept aside byte for byte, never deleted (salvage.py
reads them); a file from a newer version is left untouched. In the running
app, a disk that will not take a write (full, read-only, gone) does not lose
it: it is kept in memory and written when the disk is back
(storage/pending.py, diskfaults.py).
"""
from __future__ import annotations

import errno
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from posture_assistant.core.events import EventKind
from posture_assistant.i18n import _, clip, ngettext
from posture_assistant.storage import diskfaults, salvage
from posture_assistant.storage.pending import EventRow, MetaRow, Pending, Row, RunRow

DB_NAME = "events.sqlite3"
# Validated here, not by a CHECK in SQL, so a new kind needs no migration;
# the core's vocabulary is the list.
KINDS = frozenset(kind.value for kind in EventKind)
BUSY_TIMEOUT = 5.0  # seconds; the app and a `checklist` window may write at once

_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite database file


class StoreError(Exception):
    """str(e) is one line for the user."""


class Unwritable(StoreError):
    """The disk will not take the database now (full, read-only, gone, an
    I/O error): the running app carries on with its writes in memory."""

    def __init__(self, message: str, cause: BaseException) -> None:
        super().__init__(message)
        self.cause = cause


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
    id: int | None  # None: kept in memory, not written yet (see storage/pending.py)
    ts: float
    utc_offset: int
    kind: str
    seconds: float | None
    detail: dict | None


@dataclass(frozen=True)
class ChecklistRun:
    id: int | None
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

    def __init__(self, con: sqlite3.Connection | None, path: Path, *,
                 readonly: bool = False) -> None:
        self._con = con  # None: read-only and there is no database yet, or no disk
        self.path = path
        self._readonly = readonly
        self._closed = False
        # The running app's store (open_for_app) keeps what it cannot write
        # and tries again; any other writer says why and stops.
        self._keep = False
        self._pending = Pending()
        # What stops writes now, if anything (diskfaults.Trouble).
        self.trouble: diskfaults.Trouble | None = None
        self._news: list[str] = []
        self._last_rowid: int | None = None
        # The file the connection writes to, and the file system it was on:
        # a database deleted or unmounted under us is noticed before a write
        # goes into a file nobody will read again.
        self._writes = con is not None and not readonly
        self._file = _identity(path) if self._writes else None
        self._device = diskfaults.device_of(path.parent)

    # ---- opening ---------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, readonly: bool = False) -> tuple["Store", str | None]:
        """(store, notice): the notice, if any, is one line to show the user."""
        path = Path(data_dir) / DB_NAME
        if readonly:
            return cls._open_readonly(path), None
        _adopt_salvaged(path)
        _prepare(path)
        try:
            return cls(_connect(path), path), None
        except _Damaged:
            pass
        notice = _recover(path)
        _prepare(path)
        try:
            con = _connect(path)
        except _Damaged:  # a brand-new file cannot be damaged, unless the disk is
            raise StoreError(_("cannot start a new break database {path}: it is unreadable right "
                               "after being created; check the disk").format(
                                   path=clip(path))) from None
        return cls(con, path), notice

    @classmethod
    def open_for_app(cls, data_dir: Path) -> tuple["Store", str | None]:
        """open(), for the running app: a disk that will not take the
        database now (full, read-only, I/O errors) does not stop it. It
        starts with what it can read and its writes in memory, and
        `trouble` says why; flush() writes them once the disk is back.
        Still refused: what the user must change (diskfaults' docstring)."""
        path = Path(data_dir) / DB_NAME
        try:
            store, notice = cls.open(data_dir)
        except Unwritable as e:
            trouble = diskfaults.diagnose(path, e.cause, diskfaults.device_of(path.parent))
            if trouble.kind == diskfaults.READ_ONLY and not _is_file(path):
                raise StoreError(_("cannot start a break database in {folder}: {mount} is "
                                   "mounted read-only; set data_dir to a folder you can "
                                   "write to").format(
                    folder=clip(path.parent),
                    mount=clip(diskfaults.mount_point(path.parent)))) from None
            store, notice = cls(_reader(path), path), None
            store.trouble = trouble
        store._keep = True
        return store, notice

    @classmethod
    def _open_readonly(cls, path: Path) -> "Store":
        # Never creates, moves or upgrades anything: `status` may run while
        # the app is stopped, or alongside it.
        try:
            if not path.exists():
                return cls(None, path, readonly=True)
        except OSError as e:
            raise StoreError(_os_problem(path, e)) from None
        try:
            version = _judge(path)
        except _Damaged:
            raise StoreError(_("cannot read the break database {path}: it is damaged; start "
                               "Posture Assistant to save what can be read into a new one").format(
                                   path=clip(path))) from None
        if version == 0:  # created but never set up (killed on first start)
            return cls(None, path, readonly=True)
        try:
            con = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT,
                                  check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(_("cannot read the break database {path}: {e}").format(
                path=clip(path), e=clip(e))) from None
        return cls(con, path, readonly=True)

    # ---- writing ---------------------------------------------------------

    def record(self, kind: str, ts: float, seconds: float | None = None,
               detail: dict | None = None) -> Event:
        """Store one event; it is on disk before this returns, or (in the
        running app's store) kept in memory until it can be (flush())."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")  # not for users
        if detail is not None and not isinstance(detail, dict):
            raise TypeError(f"detail must be a dict or None, not {type(detail).__name__}")
        offset = time.localtime(ts).tm_gmtoff
        text = json.dumps(detail, sort_keys=True) if detail is not None else None
        rowid = self._write(EventRow(ts, offset, kind, seconds, text))
        return Event(rowid, ts, offset, kind, seconds, detail)

    def save_checklist(self, ts: float, answers: dict[str, str],
                       score: float | None) -> ChecklistRun:
        offset = time.localtime(ts).tm_gmtoff
        rowid = self._write(RunRow(ts, offset, score, json.dumps(answers, sort_keys=True)))
        return ChecklistRun(rowid, ts, offset, score, dict(answers))

    def set_meta(self, key: str, value: str) -> None:
        self._write(MetaRow(key, value))

    def flush(self) -> bool:
        """Write what is kept in memory, oldest first, in one transaction;
        True if nothing is left. The app calls it on every wake-up."""
        return self._flush(fresh=0)

    def _flush(self, fresh: int) -> bool:
        """flush(); the last `fresh` rows are new, not kept from before."""
        if not self._pending:
            return True
        con = None
        try:
            con = self._connection()
            with con:  # all of them or none, committed before returning
                for row in self._pending:
                    self._last_rowid = row.apply(con)
        except (sqlite3.Error, OSError, StoreError, _Damaged) as e:
            if isinstance(e, sqlite3.Error) and not _is_disk_error(e):
                raise  # our SQL is wrong, or the store was closed: a bug
            self._failed(con, e)
            return False
        kept = len(self._pending) - fresh
        self._pending.clear()
        if self.trouble is not None:
            self.trouble = None
            self._news.append(_("the break database {path} can be written again").format(
                path=clip(self.path)) if not kept else ngettext(
                "the break database {path} can be written again; the {n} event kept in memory "
                "is saved",
                "the break database {path} can be written again; the {n} events kept in memory "
                "are saved", kept).format(path=clip(self.path), n=kept))
        return True

    @property
    def kept(self) -> int:
        """How many writes wait in memory."""
        return len(self._pending)

    def take_news(self) -> list[str]:
        """Lines for the user about the database since last asked (written
        again; a new file started where the old one vanished)."""
        news, self._news = self._news, []
        return news

    # ---- reading ---------------------------------------------------------

    def events(self, since: float | None = None, until: float | None = None,
               kinds: Iterable[str] | None = None) -> list[Event]:
        """Events with since <= ts < until, oldest first."""
        kinds = None if kinds is None else frozenset(kinds)
        where, args = _filters(since, until, kinds)
        found = self._select_events(f"{where} ORDER BY ts, id", args)
        kept = [_event(r) for r in self._pending.events(since, until, kinds)]
        # Kept ones last among equal times: they were made after every row
        # already written.
        return sorted(found + kept, key=lambda e: e.ts) if kept else found

    def last(self, kind: str | None = None) -> Event | None:
        kinds = None if kind is None else [kind]
        kept = [_event(r) for r in self._pending.events(kinds=kinds and frozenset(kinds))]
        where, args = _filters(None, None, kinds)
        found = self._select_events(f"{where} ORDER BY ts DESC, id DESC LIMIT 1", args) + kept
        return max(reversed(found), key=lambda e: e.ts) if found else None

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
        found.update(self._read(lambda con: con.execute(
            "SELECT kind, count(*) FROM events WHERE ts >= ? AND ts < ? GROUP BY kind",
            (since, until)).fetchall(), []))
        for row in self._pending.events(since, until):
            found[row.kind] += 1
        return found

    def day_counts(self, now: float) -> dict[str, int]:
        """counts() for the local calendar day that contains `now`."""
        return self.counts(*local_day_bounds(now))

    def checklist_runs(self) -> list[ChecklistRun]:
        """Every saved run, oldest first."""
        rows = self._read(lambda con: [] if self._version() < 2 else con.execute(
            "SELECT id, ts, utc_offset, score, answers FROM checklist_runs ORDER BY ts, id"
        ).fetchall(), [])
        rows += [(None, r.ts, r.utc_offset, r.score, r.answers) for r in self._pending.runs()]
        return [ChecklistRun(i, ts, off, score, json.loads(a)) for i, ts, off, score, a in rows]

    def get_meta(self, key: str) -> str | None:
        kept = self._pending.meta(key)
        if kept is not None:
            return kept
        row = self._read(lambda con: None if self._version() < 2 else con.execute(
            "SELECT value FROM meta WHERE key = ?", (key,)).fetchone(), None)
        return row[0] if row else None

    # ---- closing ---------------------------------------------------------

    def close(self) -> None:
        # The closed connection is kept, not dropped, so later use raises
        # sqlite3.ProgrammingError instead of quietly reading as empty.
        self._closed = True
        if self._con is not None:
            self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals -------------------------------------------------------

    def _select_events(self, tail: str, args: list) -> list[Event]:
        rows = self._read(lambda con: con.execute(
            "SELECT id, ts, utc_offset, kind, seconds, detail FROM events " + tail,
            args).fetchall(), [])
        return [Event(i, ts, off, k, s, json.loads(d) if d is not None else None)
                for i, ts, off, k, s, d in rows]

    def _read(self, query: Callable[[sqlite3.Connection], Any], nothing: Any) -> Any:
        """query(connection), or `nothing` where there is no database to read;
        in the running app also where the disk fails under the read, so the
        tray and `status` go on (with the writes kept in memory)."""
        if self._con is None:
            return nothing
        try:
            return query(self._con)
        except sqlite3.Error as e:
            if self._keep and not self._closed and _is_disk_error(e):
                return nothing
            raise

    def _write(self, row: Row) -> int | None:
        """The new row's id, or None while it is kept in memory."""
        if self._readonly:
            raise ValueError(f"{self.path} was opened read-only")  # not for users
        self._pending.add(row)
        self._last_rowid = None
        try:
            written = self._flush(fresh=1)
        except BaseException:  # a bug: the row must not block every later write
            self._pending.remove(row)
            raise
        if written:
            return self._last_rowid
        if not self._keep:  # a window or a command: it says why and stops
            self._pending.remove(row)
            raise StoreError(self.trouble.line)
        return None

    def _connection(self) -> sqlite3.Connection:
        """The connection to write with: the one we have while it still
        writes to the file at self.path, else a new one (see _reopen)."""
        if self._closed or (self._writes and self._file == _identity(self.path)):
            return self._con  # closed: using it raises ProgrammingError, as it should
        return self._reopen()

    def _reopen(self) -> sqlite3.Connection:
        """Connect to the database at self.path afresh: after a failure, and
        when the file we had is gone (deleted, unmounted) or replaced."""
        exists = _is_file(self.path)
        if not exists and not diskfaults.may_create(self.path.parent, self._device):
            # Unmounted: wait for the disk rather than write into its mount point.
            raise OSError(errno.ENOENT, "gone", str(self.path))  # not for users
        _prepare(self.path)
        con = _connect(self.path)
        old, self._con = self._con, con
        had_file = self._file is not None
        self._writes, self._file = True, _identity(self.path)
        if old is not None:
            try:
                old.close()
            except sqlite3.Error:
                pass
        if not exists and had_file:  # not at an app start with no database yet
            self._news.append(_("the break database {path} was gone; a new one was started "
                                "there").format(path=clip(self.path)))
        return con

    def _failed(self, con: sqlite3.Connection | None, error: BaseException) -> None:
        if con is not None and con.in_transaction:
            try:
                con.rollback()
            except sqlite3.Error:
                pass
        if isinstance(error, _Damaged):
            self.trouble = diskfaults.Trouble(diskfaults.OTHER, diskfaults.damaged(self.path))
        elif isinstance(error, StoreError) and not isinstance(error, Unwritable):
            self.trouble = diskfaults.Trouble(diskfaults.OTHER, str(error))  # e.g. a newer schema
        else:
            cause = error.cause if isinstance(error, Unwritable) else error
            self.trouble = diskfaults.diagnose(self.path, cause, self._device)
        if self.trouble.kind not in (diskfaults.FULL, diskfaults.BUSY):
            # The same file may take the writes again once there is room or
            # the lock is free; anything else is tried on a new connection.
            self._writes = False

    def _version(self) -> int:
        # A read-only store may look at a file an older app version wrote.
        return _user_version(self._con)


# ---- helpers -------------------------------------------------------------


class _Damaged(Exception):
    """The file is not a sound SQLite database: move it aside."""


def _event(row: EventRow) -> Event:
    return Event(None, row.ts, row.utc_offset, row.kind, row.seconds,
                 json.loads(row.detail) if row.detail is not None else None)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _is_file(path: Path) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _is_disk_error(error: sqlite3.Error) -> bool:
    # DatabaseError itself (not its subclasses) is SQLite's "malformed":
    # damage found under a running app, which a restart moves aside.
    return ((isinstance(error, sqlite3.OperationalError) or type(error) is sqlite3.DatabaseError)
            and (diskfaults.is_disk_condition(error) or diskfaults.is_damage(error)))


def _reader(path: Path) -> sqlite3.Connection | None:
    """A connection that only reads, for a database the disk will not let
    us write: at least today's counts and the checklist's dates stay true.
    immutable=1 reads without the -shm file a full disk cannot make room
    for (at the cost of not seeing a WAL left by a crash)."""
    if not _is_file(path):
        return None
    for option in ("", "&immutable=1"):
        con = None
        try:
            con = sqlite3.connect(_readonly_uri(path) + option, uri=True, timeout=BUSY_TIMEOUT,
                                  check_same_thread=False)
            if _user_version(con) > 0:  # 0: created, never set up; nothing to read
                return con
            con.close()
            return None
        except sqlite3.Error:
            if con is not None:
                con.close()
    return None


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
        if diskfaults.is_disk_condition(e):
            raise Unwritable(_os_problem(path, e), e) from None
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
            head = f.read(100)
            length = os.fstat(f.fileno()).st_size
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None
    if head and not head.startswith(_MAGIC):
        # Not SQLite at all: move it aside before SQLite touches its -shm.
        raise _Damaged
    # Judged before SQLite reads the file, which takes some header damage for
    # a problem with permissions, and drops a damaged -wal's frames silently.
    wal = _read_wal(path)
    size = salvage.page_size(head)
    if (salvage.header_is_damaged(salvage.current_header(head, wal))
            or salvage.is_truncated(head, length, wal)
            or salvage.wal_is_damaged(wal, size)
            or size and salvage.wal_shrinks_file(wal, length // size)):
        raise _Damaged
    try:
        con = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT)
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    try:
        # One snapshot: another process may upgrade the file between two reads.
        con.execute("BEGIN")
        version = _user_version(con)
        if version > SCHEMA_VERSION:
            raise StoreError(_newer(path, version))
        if _tables(con) != _tables_at(version):
            raise _Damaged  # the version field was damaged: tables it cannot have
        if con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise _Damaged
        return version
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    finally:
        con.close()


def _read_wal(path: Path) -> bytes:
    # One read, so a writer that restarts the -wal meanwhile leaves at worst
    # frames of the next or last generation, which the judging allows for.
    try:
        with open(f"{path}-wal", "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None


def _tables(con: sqlite3.Connection) -> set[str]:
    return {name for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def _tables_at(version: int) -> set[str]:
    """The tables our migrations make up to `version`, made in memory."""
    con = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS[:version]:
            migration(con)
        return _tables(con)
    finally:
        con.close()


def _recover(path: Path) -> str:
    """Save the damaged file's readable rows into a new file in its place;
    keep the damaged one, byte for byte, beside it. The notice for the user.

    The new file is built under another name first and renamed into place
    only after the damaged one is moved aside, so a crash midway leaves
    either the damaged file (and the next start does this again) or the
    saved rows, never a file with half of them.
    """
    try:
        found = salvage.read(path)
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None
    building = _salvaged(path)
    try:
        _build(building, found)
    except (OSError, sqlite3.Error) as e:
        raise StoreError(_("cannot save the readable rows of the damaged break database {path} "
                           "into a new one: {e}; free some disk space in {parent} and start "
                           "again; the damaged file was left as it was").format(
                               path=clip(path), e=clip(e), parent=clip(path.parent))) from None
    moved = _move_aside(path)
    try:
        os.replace(building, path)
        _sync_dir(path.parent)
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None
    # The kept file is beside the database: its name says where, and leaves
    # the line room for a long data_dir.
    if not found.count:
        return _("The break database {path} was damaged; it was moved to {moved} and "
                 "a new one was started.").format(path=clip(path), moved=clip(moved.name))
    return ngettext("The break database {path} was damaged; {count} of its rows was saved into "
                    "a new one, and the damaged file was kept as {moved}.",
                    "The break database {path} was damaged; {count} of its rows were saved into "
                    "a new one, and the damaged file was kept as {moved}.",
                    found.count).format(path=clip(path), count=found.count,
                                       moved=clip(moved.name))


def _salvaged(path: Path) -> Path:
    return path.with_name(path.name + ".salvage")


def _adopt_salvaged(path: Path) -> None:
    """Finish a recovery a crash cut short between moving the damaged file
    aside and renaming the new one into its place: the new one is whole."""
    try:
        if not os.path.lexists(path) and _salvaged(path).is_file():
            os.replace(_salvaged(path), path)
    except OSError as e:
        raise StoreError(_os_problem(path, e)) from None


def _build(path: Path, found: salvage.Found) -> None:
    """A new database at `path` with the current schema and `found`'s rows,
    ids and all, committed in one transaction."""
    for suffix in ("", "-journal", "-wal", "-shm"):  # a try cut short earlier
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    # A rollback journal, not WAL: once committed and closed, the one file
    # holds everything, so renaming it moves all of it.
    con = sqlite3.connect(path, isolation_level="DEFERRED")
    try:
        con.execute("PRAGMA synchronous=FULL")
        _migrate(con, path)
        with con:
            con.executemany(
                "INSERT INTO events (id, ts, utc_offset, kind, seconds, detail) "
                "VALUES (?,?,?,?,?,?)", [(i, *row) for i, row in found.events.items()])
            con.executemany(
                "INSERT INTO checklist_runs (id, ts, utc_offset, score, answers) "
                "VALUES (?,?,?,?,?)", [(i, *row) for i, row in found.checklist_runs.items()])
            con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", found.meta.items())
    finally:
        con.close()


def _sync_dir(folder: Path) -> None:
    # The renames are lasting only once the folder itself is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every system opens folders (Windows); the rename still happened
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
            if diskfaults.is_damage(e) or diskfaults.is_busy(e):
                raise
            raise StoreError(_("cannot upgrade the break database {path} from schema {version} to "
                               "{value}: {e}; it was left as it was").format(
                                   path=clip(path), version=version, value=version + 1,
                                   e=clip(e))) from None
        except BaseException:
            con.rollback()
            raise


def _user_version(con: sqlite3.Connection) -> int:
    return con.execute("PRAGMA user_version").fetchone()[0]


def _readonly_uri(path: Path) -> str:
    # as_uri() percent-encodes, so a '?', '#' or '%' in the path stays part
    # of the file name instead of starting SQLite's URI parameters.
    return path.absolute().as_uri() + "?mode=ro"


def _problem(path: Path, error: sqlite3.Error) -> Exception:
    """The exception to raise for a SQLite error while opening `path`."""
    if diskfaults.is_damage(error):
        return _Damaged()
    if diskfaults.is_busy(error):
        return StoreError(_("the break database {path} is in use by another program ({error}); "
                            "try again in a moment").format(path=clip(path), error=clip(error)))
    message = _("cannot use the break database {path}: {error}; check the permissions of "
                "{parent} and the free disk space, or set data_dir").format(
                    path=clip(path), error=clip(error), parent=clip(path.parent))
    if diskfaults.is_disk_condition(error):
        return Unwritable(message, error)
    return StoreError(message)


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
                  path=clip(path), version=version, SCHEMA_VERSION=SCHEMA_VERSION))


def _os_problem(path: Path, error: OSError) -> str:
    where = Path(error.filename) if error.filename else path
    reason = error.strerror or str(error)
    if isinstance(error, FileExistsError):  # mkdir of something that is a file
        reason = _("it exists and is not a directory")
    return _("cannot use {where}: {reason}; check the permissions of {parent} or "
             "set data_dir").format(where=clip(where), reason=reason, parent=clip(where.parent))
