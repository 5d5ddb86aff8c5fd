"""The break database, on real SQLite files."""
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from posture_assistant import store as store_module
from posture_assistant.store import DB_NAME, Store, StoreError, local_day_bounds

NOW = 1_790_000_000.0


def open_store(path):
    s, notice = Store.open(path)
    assert notice is None
    return s


def test_record_is_committed_and_visible_to_another_connection(tmp_path):
    s = open_store(tmp_path)
    event = s.record("snoozed", NOW, 300, {"prompt": 1})
    other = sqlite3.connect(tmp_path / DB_NAME)
    rows = other.execute("SELECT ts, kind, seconds, detail, utc_offset FROM events").fetchall()
    assert rows == [(NOW, "snoozed", 300.0, '{"prompt": 1}', event.utc_offset)]
    assert s.events() == [event]
    s.close()


def test_unknown_kind_is_a_programming_error(tmp_path):
    with open_store(tmp_path) as s, pytest.raises(ValueError):
        s.record("napped", NOW)


def test_survives_kill_9_right_after_recording(tmp_path):
    code = ("import os, signal, sys; from pathlib import Path; "
            "from posture_assistant.store import Store; "
            f"s, _ = Store.open(Path({str(tmp_path)!r})); "
            "[s.record('done', 1790000000.0 + i) for i in range(5)]; "
            "os.kill(os.getpid(), signal.SIGKILL)")
    r = subprocess.run([sys.executable, "-c", code])
    assert r.returncode == -9
    with open_store(tmp_path) as s:
        assert [e.kind for e in s.events()] == ["done"] * 5


def test_garbage_file_is_moved_aside_byte_for_byte(tmp_path):
    garbage = b"this is not a database " * 200
    (tmp_path / DB_NAME).write_bytes(garbage)
    s, notice = Store.open(tmp_path)
    moved = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == garbage
    assert str(moved[0]) in notice and "\n" not in notice
    s.record("done", NOW)  # the fresh database works
    s.close()


def test_a_damaged_page_fails_the_integrity_check_and_is_moved_aside(tmp_path):
    with open_store(tmp_path) as s:
        for i in range(3000):
            s.record("prompted", NOW + i, detail={"prompt": i, "pad": "x" * 50})
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 3000] = os.urandom(3000)
    path.write_bytes(bytes(data))
    s, notice = Store.open(tmp_path)
    assert notice and "damaged" in notice
    (moved,) = [p for p in tmp_path.iterdir() if p.name.startswith(DB_NAME + ".corrupt-")]
    assert moved.read_bytes() == bytes(data)
    assert s.events() == []
    s.close()


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / DB_NAME
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.execute("CREATE TABLE future (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer Posture Assistant.*left untouched") as e:
        Store.open(tmp_path)
    assert "\n" not in str(e.value)
    assert path.read_bytes() == before
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path, readonly=True)


def test_an_appended_migration_upgrades_and_keeps_rows(tmp_path, monkeypatch):
    with open_store(tmp_path) as s:
        s.record("done", NOW)

    def next_version(con):
        con.execute("ALTER TABLE events ADD COLUMN source TEXT")

    latest = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + [next_version])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", latest + 1)
    with open_store(tmp_path) as s:
        assert [e.kind for e in s.events()] == ["done"]
    con = sqlite3.connect(tmp_path / DB_NAME)
    assert con.execute("PRAGMA user_version").fetchone() == (latest + 1,)
    assert "source" in [c[1] for c in con.execute("PRAGMA table_info(events)")]


def test_readonly_open_of_a_missing_file_creates_nothing(tmp_path):
    s, notice = Store.open(tmp_path / "none", readonly=True)
    assert notice is None and s.day_counts(NOW)["done"] == 0 and s.events() == []
    assert not (tmp_path / "none").exists()


def test_readonly_reader_sees_the_writers_rows(tmp_path):
    writer = open_store(tmp_path)
    writer.record("done", NOW)
    reader, _ = Store.open(tmp_path, readonly=True)
    assert reader.counts(NOW - 1, NOW + 1)["done"] == 1
    writer.record("done", NOW + 0.5)
    assert reader.counts(NOW - 1, NOW + 1)["done"] == 2
    reader.close()
    writer.close()


def test_readonly_corrupt_file_is_an_error_and_not_moved(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"junk" * 500)
    with pytest.raises(StoreError, match="cannot read"):
        Store.open(tmp_path, readonly=True)
    assert [p.name for p in tmp_path.iterdir()] == [DB_NAME]


def test_an_unusable_data_dir_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot use .*set data_dir") as e:
        Store.open(blocker / "data")
    assert "\n" not in str(e.value)


def test_counts_and_last(tmp_path):
    with open_store(tmp_path) as s:
        for kind in ["prompted", "snoozed", "done", "prompted", "skipped"]:
            s.record(kind, NOW)
        counts = s.counts(NOW, NOW + 1)
        assert counts["prompted"] == 2 and counts["done"] == 1 and counts["reminded"] == 0
        assert s.last().kind == "skipped" and s.last("done").kind == "done"
        assert s.counts(NOW + 1, NOW + 2)["prompted"] == 0


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_local_day_on_a_dst_day_is_23_hours(berlin):
    # 2026-03-29: clocks go forward at 02:00 in Berlin.
    noon = time.mktime((2026, 3, 29, 12, 0, 0, 0, 0, -1))
    start, end = local_day_bounds(noon)
    assert end - start == 23 * 3600
    assert time.localtime(start)[:5] == (2026, 3, 29, 0, 0)


def test_day_counts_use_local_midnight(tmp_path, berlin):
    midnight = time.mktime((2026, 7, 1, 0, 0, 0, 0, 0, -1))
    with open_store(tmp_path) as s:
        s.record("done", midnight - 1)  # yesterday, local time
        s.record("done", midnight + 1)
        e = s.record("done", midnight + 3600)
        assert s.day_counts(midnight + 7200)["done"] == 2
        assert e.utc_offset == 7200


def test_a_version_1_file_gains_the_checklist_tables_and_keeps_its_events(tmp_path):
    con = sqlite3.connect(tmp_path / DB_NAME)
    store_module.MIGRATIONS[0](con)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO events (ts, utc_offset, kind) VALUES (1, 0, 'done')")
    con.commit()
    con.close()
    with open_store(tmp_path) as s:
        assert [e.kind for e in s.events()] == ["done"]
        run = s.save_checklist(NOW, {"feet-supported": "no"}, 0.0)
        assert s.checklist_runs() == [run]
        s.set_meta("checklist_offer", "declined")
        assert s.get_meta("checklist_offer") == "declined" and s.get_meta("nope") is None
