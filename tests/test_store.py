"""The break database, on real SQLite files."""
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posture_assistant.storage import store as store_module
from posture_assistant.storage.store import (
    DB_NAME, KINDS, SCHEMA_VERSION, Event, Store, StoreError, local_day_bounds,
)

NOW = 1_790_000_000.0
REPO = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def open_store(data_dir, **kw):
    s, notice = Store.open(data_dir, **kw)
    assert notice is None
    return s


def files(d):
    return {p.name: p.read_bytes() for p in Path(d).iterdir() if p.is_file()}


def corrupt_copies(d):
    """The moved-aside databases, without their -wal and -shm."""
    return sorted(p for p in Path(d).iterdir() if p.name.startswith(DB_NAME + ".corrupt-")
                  and not p.name.endswith(("-wal", "-shm")))


# ---- recording -----------------------------------------------------------


def test_every_kind_the_core_can_emit_is_stored_and_read_back(tmp_path):
    """tests/test_vocabulary.py proves the core emits only EventKind members;
    here each one goes through a real file, by name and as the enum."""
    from posture_assistant.core.events import EventKind

    store, _ = Store.open(tmp_path)
    with store:
        for i, kind in enumerate(EventKind):
            store.record(kind, 1000.0 + i)
        assert [e.kind for e in store.events()] == [k.value for k in EventKind]
    assert KINDS == {k.value for k in EventKind}


def test_record_is_committed_and_visible_to_another_connection(tmp_path):
    s = open_store(tmp_path)
    event = s.record("snoozed", NOW, 300, {"prompt": 1})
    other = sqlite3.connect(tmp_path / DB_NAME)
    rows = other.execute("SELECT ts, kind, seconds, detail, utc_offset FROM events").fetchall()
    assert rows == [(NOW, "snoozed", 300.0, '{"prompt": 1}', event.utc_offset)]
    assert event.utc_offset == time.localtime(NOW).tm_gmtoff
    assert s.events() == [event]
    other.close()
    s.close()


def test_the_connection_is_set_up_for_durability(tmp_path):
    with open_store(tmp_path) as s:
        con = s._con
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert con.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert con.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert con.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_unknown_kind_is_a_programming_error(tmp_path):
    with open_store(tmp_path) as s, pytest.raises(ValueError, match="napped"):
        s.record("napped", NOW)


def test_detail_must_be_a_json_object(tmp_path):
    with open_store(tmp_path) as s, pytest.raises(TypeError):
        s.record("done", NOW, detail=["not", "an", "object"])


def test_survives_kill_9_right_after_recording(tmp_path):
    code = ("import os, signal; from pathlib import Path; "
            "from posture_assistant.storage.store import Store; "
            f"s, _ = Store.open(Path({str(tmp_path)!r})); "
            "[s.record('done', 1790000000.0 + i, detail={'i': i}) for i in range(5)]; "
            "os.kill(os.getpid(), signal.SIGKILL)")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False)
    assert r.returncode == -9
    assert (tmp_path / (DB_NAME + "-wal")).exists()  # it really died with the WAL unmerged
    with open_store(tmp_path) as s:
        assert [(e.kind, e.detail) for e in s.events()] == [("done", {"i": i}) for i in range(5)]


def test_a_new_database_is_private(tmp_path):
    data = tmp_path / "a" / "data"
    open_store(data).close()
    assert stat.S_IMODE(data.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((data / DB_NAME).stat().st_mode) == 0o600


def test_a_closed_store_does_not_read_as_empty(tmp_path):
    s = open_store(tmp_path)
    s.record("done", NOW)
    s.close()
    s.close()  # twice is fine
    with pytest.raises(sqlite3.ProgrammingError):
        s.events()


# ---- reading -------------------------------------------------------------


def test_events_are_half_open_ordered_and_filtered(tmp_path):
    with open_store(tmp_path) as s:
        late = s.record("done", NOW + 20)
        early = s.record("prompted", NOW)
        edge = s.record("snoozed", NOW + 10, 300)
        assert s.events() == [early, edge, late]
        assert s.events(since=NOW + 10) == [edge, late]
        assert s.events(until=NOW + 10) == [early]
        assert s.events(NOW, NOW + 20, kinds=["done", "snoozed"]) == [edge]
        assert s.events(kinds=iter(["done"])) == [late]
        assert s.events(kinds=[]) == []


def test_counts_and_last(tmp_path):
    with open_store(tmp_path) as s:
        assert s.last() is None
        for kind in ["prompted", "snoozed", "done", "prompted", "skipped"]:
            s.record(kind, NOW)
        counts = s.counts(NOW, NOW + 1)
        assert set(counts) == KINDS
        assert counts["prompted"] == 2 and counts["done"] == 1 and counts["reminded"] == 0
        # Same ts: the later row is the last.
        assert s.last().kind == "skipped" and s.last("done").kind == "done"
        assert s.last("reminded") is None
        assert s.counts(NOW + 1, NOW + 2)["prompted"] == 0


def test_last_run_is_the_rows_from_the_latest_start_in_the_order_written(tmp_path):
    with open_store(tmp_path) as s:
        assert s.last_run() == []
        s.record("prompted", NOW - 5, detail={"prompt": 1})  # before any start: no run
        assert s.last_run() == []
        s.record("app_started", NOW)
        s.record("app_stopped", NOW + 1)
        s.record("app_started", NOW + 2)
        # The clock was set back an hour: by time these would come first.
        s.record("prompted", NOW - 3600, detail={"prompt": 1})
        s.record("reminded", NOW - 3000, detail={"prompt": 1})
        assert [(e.kind, e.ts) for e in s.last_run()] == [
            ("app_started", NOW + 2), ("prompted", NOW - 3600), ("reminded", NOW - 3000)]


# ---- damaged files -------------------------------------------------------


def test_garbage_file_is_moved_aside_byte_for_byte(tmp_path):
    garbage = b"this is not a database " * 200
    (tmp_path / DB_NAME).write_bytes(garbage)
    s, notice = Store.open(tmp_path)
    (moved,) = corrupt_copies(tmp_path)
    assert moved.read_bytes() == garbage
    assert notice == (f"The break database {tmp_path / DB_NAME} was damaged; it was moved "
                      f"to {moved.name} and a new one was started.")
    assert s.record("done", NOW) in s.events()  # the fresh database works
    s.close()


def test_a_damaged_page_fails_the_integrity_check_and_its_rows_are_saved(tmp_path):
    with open_store(tmp_path) as s:
        for i in range(3000):
            s.record("prompted", NOW + i, detail={"prompt": i, "pad": "x" * 50})
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 3000] = os.urandom(3000)
    path.write_bytes(bytes(data))
    s, notice = Store.open(tmp_path)
    (moved,) = corrupt_copies(tmp_path)
    assert moved.read_bytes() == bytes(data)
    saved = s.events()
    # 3000 bytes touch one or two pages of about 40 rows each; the rest is back.
    assert 3000 - 2 * 45 < len(saved) < 3000
    assert all(e == Event(e.detail["prompt"] + 1, NOW + e.detail["prompt"], e.utc_offset,
                          "prompted", None, {"prompt": e.detail["prompt"], "pad": "x" * 50})
               for e in saved)
    assert notice == (f"The break database {path} was damaged; {len(saved)} of its rows were "
                      f"saved into a new one, and the damaged file was kept as {moved.name}.")
    s.close()


def test_the_wal_and_shm_go_with_the_damaged_file(tmp_path):
    contents = {"": b"junk" * 1000, "-wal": b"wal bytes", "-shm": b"shm bytes"}
    for suffix, data in contents.items():
        (tmp_path / (DB_NAME + suffix)).write_bytes(data)
    Store.open(tmp_path)[0].close()
    (moved,) = corrupt_copies(tmp_path)
    for suffix, data in contents.items():
        assert Path(f"{moved}{suffix}").read_bytes() == data


def test_a_taken_name_gets_a_number(tmp_path, monkeypatch):
    fixed = time.gmtime(NOW)
    monkeypatch.setattr(time, "gmtime", lambda *_: fixed)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", fixed)
    taken = tmp_path / f"{DB_NAME}.corrupt-{stamp}"
    taken.write_bytes(b"an earlier one")
    Path(f"{taken}-2-wal").write_bytes(b"a stray companion")  # -2 is taken too
    (tmp_path / DB_NAME).write_bytes(b"junk" * 500)
    s, notice = Store.open(tmp_path)
    s.close()
    assert taken.read_bytes() == b"an earlier one"
    assert Path(f"{taken}-3").read_bytes() == b"junk" * 500
    assert notice.endswith(f"{taken.name}-3 and a new one was started.")


# ---- versions ------------------------------------------------------------


def write_newer(path):
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.execute("CREATE TABLE future (x)")
    con.commit()
    con.close()


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    write_newer(tmp_path / DB_NAME)
    before = files(tmp_path)
    with pytest.raises(StoreError) as e:
        Store.open(tmp_path)
    message = str(e.value)
    assert "\n" not in message and str(tmp_path / DB_NAME) in message
    assert "schema 99" in message and f"knows {SCHEMA_VERSION}" in message
    assert message.endswith("upgrade Posture Assistant; the file was left untouched")
    assert files(tmp_path) == before
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path, readonly=True)
    assert files(tmp_path) == before


def test_a_newer_database_with_an_unmerged_wal_is_left_untouched(tmp_path):
    # Closing a read-write connection would merge the newer app's WAL into
    # its file; the check must not get that far.
    live = tmp_path / "live"
    live.mkdir()
    con = sqlite3.connect(live / DB_NAME)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("CREATE TABLE future (x)")
    con.execute("PRAGMA user_version = 99")
    con.commit()
    copy = tmp_path / "copy"
    copy.mkdir()
    for suffix in ("", "-wal"):  # as a killed newer app would leave them
        shutil.copy(live / (DB_NAME + suffix), copy / (DB_NAME + suffix))
    con.close()
    before = files(copy)
    with pytest.raises(StoreError, match="newer"):
        Store.open(copy)
    after = files(copy)
    assert {k: after[k] for k in before} == before


def test_an_appended_migration_upgrades_and_keeps_rows(tmp_path, monkeypatch):
    with open_store(tmp_path) as s:
        kept = s.record("done", NOW, detail={"note": "before the upgrade"})

    def next_version(con):
        con.execute("ALTER TABLE events ADD COLUMN source TEXT")
        con.execute("UPDATE events SET source = 'old'")

    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + [next_version])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with open_store(tmp_path) as s:
        assert s.events() == [kept]
        s.record("done", NOW + 1)
    con = sqlite3.connect(tmp_path / DB_NAME)
    assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION + 1,)
    assert con.execute("SELECT source FROM events ORDER BY id").fetchall() == [("old",), (None,)]
    con.close()


def test_a_failing_migration_rolls_back_whole_and_moves_nothing(tmp_path, monkeypatch):
    with open_store(tmp_path) as s:
        kept = s.record("done", NOW)

    def half_done(con):
        con.execute("CREATE TABLE half (x)")  # DDL: must be rolled back too
        con.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + [half_done])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="cannot upgrade .* left as it was") as e:
        Store.open(tmp_path)
    assert "\n" not in str(e.value)
    assert corrupt_copies(tmp_path) == []
    con = sqlite3.connect(tmp_path / DB_NAME)
    assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert con.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchall() == []
    con.close()
    monkeypatch.undo()
    with open_store(tmp_path) as s:
        assert s.events() == [kept]


def test_two_processes_upgrading_at_once_upgrade_once(tmp_path, monkeypatch):
    # The app and a checklist window may both open an old file; the second
    # must wait and find it upgraded, not fail on "table exists" and take
    # that for damage.
    with open_store(tmp_path) as s:
        s.record("done", NOW)
    started = threading.Event()

    def slow(con):
        started.set()
        time.sleep(0.5)
        con.execute("CREATE TABLE added (x)")

    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + [slow])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    results = []
    first = threading.Thread(target=lambda: results.append(Store.open(tmp_path)))
    first.start()
    assert started.wait(5)
    results.append(Store.open(tmp_path))
    first.join()
    assert [notice for _, notice in results] == [None, None]
    assert corrupt_copies(tmp_path) == []
    for s, _ in results:
        assert [e.kind for e in s.events()] == ["done"]
        s.close()


def test_a_version_1_file_gains_the_checklist_tables_and_keeps_its_events(tmp_path):
    con = sqlite3.connect(tmp_path / DB_NAME)
    store_module.MIGRATIONS[0](con)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO events (ts, utc_offset, kind) VALUES (1, 0, 'done')")
    con.commit()
    con.close()
    with open_store(tmp_path, readonly=True) as s:  # an older file reads as it is
        assert [e.kind for e in s.events()] == ["done"] and s.checklist_runs() == []
        assert s.get_meta("checklist_offer") is None
    with open_store(tmp_path) as s:
        assert [e.kind for e in s.events()] == ["done"]
        run = s.save_checklist(NOW, {"feet-supported": "no"}, 0.0)
        assert s.checklist_runs() == [run]
        s.set_meta("checklist_offer", "declined")
        assert s.get_meta("checklist_offer") == "declined" and s.get_meta("nope") is None


# ---- read-only -----------------------------------------------------------


def test_readonly_open_of_a_missing_file_creates_nothing(tmp_path):
    s, notice = Store.open(tmp_path / "none", readonly=True)
    assert notice is None and s.events() == [] and s.last() is None
    assert s.day_counts(NOW) == dict.fromkeys(KINDS, 0)
    with pytest.raises(ValueError):
        s.record("done", NOW)
    s.close()
    assert not (tmp_path / "none").exists()


def test_readonly_reader_sees_the_writers_rows_as_they_commit(tmp_path):
    writer = open_store(tmp_path)
    writer.record("done", NOW)
    reader = open_store(tmp_path, readonly=True)
    assert reader.counts(NOW - 1, NOW + 1)["done"] == 1
    writer.record("done", NOW + 0.5)
    assert reader.counts(NOW - 1, NOW + 1)["done"] == 2
    assert reader.last() == writer.last()
    reader.close()
    writer.record("done", NOW + 0.75)  # the reader leaving does not upset the writer
    writer.close()


def test_readonly_after_the_app_closed(tmp_path):
    with open_store(tmp_path) as s:
        s.record("done", NOW)
    with open_store(tmp_path, readonly=True) as s:
        assert [e.kind for e in s.events()] == ["done"]


def test_readonly_handles_uri_characters_in_the_path(tmp_path):
    odd = tmp_path / "we?ird #dir %20"
    with open_store(odd) as s:
        s.record("done", NOW)
    with open_store(odd, readonly=True) as s:
        assert [e.kind for e in s.events()] == ["done"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [odd.name]


def test_readonly_corrupt_file_is_an_error_and_not_moved(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"junk" * 500)
    with pytest.raises(StoreError, match="damaged.*start Posture Assistant") as e:
        Store.open(tmp_path, readonly=True)
    assert "\n" not in str(e.value)
    assert files(tmp_path) == {DB_NAME: b"junk" * 500}


def test_readonly_integrity_failure_is_an_error(tmp_path):
    with open_store(tmp_path) as s:
        for i in range(3000):
            s.record("prompted", NOW + i, detail={"pad": "x" * 50})
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 3000] = os.urandom(3000)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        Store.open(tmp_path, readonly=True)
    assert path.read_bytes() == bytes(data) and corrupt_copies(tmp_path) == []


# ---- unusable places -----------------------------------------------------


def test_a_data_dir_under_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot use .*set data_dir") as e:
        Store.open(blocker / "data")
    assert "\n" not in str(e.value) and str(blocker) in str(e.value)
    with pytest.raises(StoreError, match="not a directory"):
        Store.open(blocker)


def test_a_long_data_dir_gives_a_short_line(tmp_path):
    # Names of 200 characters, the most a file system allows, nested: the
    # message names the place, cut, instead of repeating it in full.
    blocker = tmp_path / ("f" * 200)
    blocker.write_text("")
    with pytest.raises(StoreError) as e:
        Store.open(blocker / ("d" * 200) / ("e" * 200))
    assert len(str(e.value)) < 300, str(e.value)


def test_a_database_path_that_is_a_directory_is_one_line(tmp_path):
    (tmp_path / DB_NAME).mkdir()
    with pytest.raises(StoreError) as e:
        Store.open(tmp_path)
    message = str(e.value)
    assert "\n" not in message and str(tmp_path / DB_NAME) in message
    assert "directory" in message.lower() and "set data_dir" in message
    assert (tmp_path / DB_NAME).is_dir() and corrupt_copies(tmp_path) == []


@pytest.mark.skipif(IS_ROOT or sys.platform == "win32", reason="root ignores permissions")
def test_a_read_only_data_dir_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="Permission denied.*check the permissions") as e:
            Store.open(locked)
        assert "\n" not in str(e.value)
    finally:
        locked.chmod(0o700)


# ---- local days ----------------------------------------------------------


@pytest.fixture
def tz(monkeypatch):
    def set_zone(name):
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()


def local(*ymdhm):
    return time.mktime((*ymdhm, 0, 0, 0, -1))


def test_local_day_on_dst_days(tz):
    tz("Europe/Berlin")
    start, end = local_day_bounds(local(2026, 3, 29, 12, 0))  # clocks go forward at 02:00
    assert end - start == 23 * 3600
    assert time.localtime(start)[:5] == (2026, 3, 29, 0, 0)
    start, end = local_day_bounds(local(2026, 10, 25, 12, 0))  # and back at 03:00
    assert end - start == 25 * 3600


def test_day_counts_on_a_dst_day_use_local_midnight(tmp_path, tz):
    tz("Europe/Berlin")
    start, end = local(2026, 3, 29, 0, 0), local(2026, 3, 30, 0, 0)
    with open_store(tmp_path) as s:
        s.record("done", start - 1)  # yesterday, local time
        first = s.record("done", start)
        s.record("done", local(2026, 3, 29, 3, 30))
        last = s.record("done", end - 1)
        s.record("done", end)  # tomorrow
        assert s.day_counts(local(2026, 3, 29, 12, 0))["done"] == 3
        assert s.day_counts(start)["done"] == 3 and s.day_counts(end - 1)["done"] == 3
        assert first.utc_offset == 3600 and last.utc_offset == 7200


def test_day_counts_use_local_midnight_not_utc(tmp_path, tz):
    tz("America/New_York")
    midnight = local(2026, 7, 1, 0, 0)
    with open_store(tmp_path) as s:
        s.record("done", midnight - 1)
        s.record("done", midnight + 1)
        e = s.record("done", midnight + 22 * 3600)  # 22:00 local, next day in UTC
        assert s.day_counts(midnight + 7200)["done"] == 2
        assert e.utc_offset == -4 * 3600


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe",
                                  "Asia/Kolkata", "Pacific/Apia", "UTC"])
def test_local_day_bounds_hold_everywhere(tz, zone):
    tz(zone)  # Santiago skips midnight itself; Lord Howe shifts by 30 min

    @settings(max_examples=300, deadline=None)
    @given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
    def check(now):
        start, end = local_day_bounds(now)
        assert start <= now < end
        day = time.localtime(now)[:3]
        assert time.localtime(start)[:3] == day == time.localtime(end - 1)[:3]
        assert time.localtime(start - 1)[:3] != day and time.localtime(end)[:3] != day
        assert 22 * 3600 <= end - start <= 26 * 3600

    check()
