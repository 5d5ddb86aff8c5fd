"""The running app's store when the disk will not take a write: kept in
memory, counted by readers, written in order once the disk is back; and the
loop saying so once. On a real tmpfs of 512 KB in a namespace of the test's
own (tests/smallfs.py), filled, made read-only or unmounted for real; the
`inside_*` functions run in there."""
from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from posture_assistant.i18n import clip
from posture_assistant.storage import diskfaults
from posture_assistant.storage.store import DB_NAME, Store, StoreError
from tests import smallfs
from tests.desktop import REQUIRED

NOON = 1_780_000_000.0


@pytest.fixture
def small_disk(tmp_path):
    reason = smallfs.unavailable(tmp_path)
    if reason:
        if REQUIRED:
            pytest.fail(f"POSTURE_E2E=required but {reason}", pytrace=False)
        pytest.skip(reason)
    return lambda function: smallfs.call(function, tmp_path)


def rows(data: Path, table: str = "events") -> list[tuple]:
    con = sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        con.close()


# ---- a full disk ----------------------------------------------------------------


def inside_a_full_disk_keeps_writes_and_writes_them_in_order(disk: Path) -> None:
    data = disk / "data"
    store, _ = Store.open_for_app(data)
    store.record("done", NOON)
    filler = smallfs.fill(disk)
    kept = store.record("snoozed", NOON + 1, seconds=300, detail={"n": 1})
    store.save_checklist(NOON + 2, {"chair": "yes"}, 100.0)
    store.set_meta("checklist_offer", "offered")
    store.record("done", NOON + 3)
    assert kept.id is None and store.kept == 4
    assert store.trouble.kind == diskfaults.FULL
    assert f"free some space on {clip(disk)}" in store.trouble.line, store.trouble.line
    # Readers see the kept ones: the tray's counts, the checklist's facts.
    assert store.day_counts(NOON)["done"] == 2 and store.counts(0, NOON + 2)["snoozed"] == 1
    assert store.get_meta("checklist_offer") == "offered"
    assert [r.answers for r in store.checklist_runs()] == [{"chair": "yes"}]
    assert [(e.kind, e.id) for e in store.events()] == [
        ("done", 1), ("snoozed", None), ("done", None)]
    assert store.last("done").ts == NOON + 3
    assert not store.flush() and store.take_news() == []  # still full
    filler.unlink()
    assert store.flush() and store.kept == 0 and store.trouble is None
    assert store.take_news() == [f"the break database {clip(data / DB_NAME)} can be written again; "
                                 "the 4 events kept in memory are saved"]
    store.close()
    assert [(r[1], r[3], r[4], r[5]) for r in rows(data)] == [
        (NOON, "done", None, None), (NOON + 1, "snoozed", 300, '{"n": 1}'),
        (NOON + 3, "done", None, None)]
    assert [r[1] for r in rows(data, "checklist_runs")] == [NOON + 2]
    assert rows(data, "meta") == [("checklist_offer", "offered")]


def test_a_full_disk_keeps_writes_and_writes_them_in_order(small_disk):
    small_disk(inside_a_full_disk_keeps_writes_and_writes_them_in_order)


def inside_a_window_on_a_full_disk_says_why_and_keeps_nothing(disk: Path) -> None:
    # The checklist window and command are not the app: they cannot wait
    # for the disk, so they say why, in one line, and leave no row behind.
    store, _ = Store.open(disk / "data")
    smallfs.fill(disk)
    try:
        store.save_checklist(NOON, {"chair": "yes"}, 100.0)
    except StoreError as e:
        assert "the disk is full" in str(e) and "\n" not in str(e)
    else:
        raise AssertionError("saved on a full disk")
    assert store.kept == 0 and store.checklist_runs() == []


def test_a_window_on_a_full_disk_says_why_and_keeps_nothing(small_disk):
    small_disk(inside_a_window_on_a_full_disk_says_why_and_keeps_nothing)


def inside_starting_on_a_full_disk(disk: Path) -> None:
    filler = smallfs.fill(disk)
    try:
        Store.open(disk / "new")
    except StoreError:
        pass
    else:
        raise AssertionError("a database was made on a full disk")
    store, notice = Store.open_for_app(disk / "new")  # the app starts all the same
    assert notice is None and store.trouble.kind == diskfaults.FULL
    store.record("done", NOON)
    assert store.day_counts(NOON)["done"] == 1
    filler.unlink()
    assert store.flush()
    store.close()
    assert [r[1] for r in rows(disk / "new")] == [NOON]


def test_starting_on_a_full_disk(small_disk):
    small_disk(inside_starting_on_a_full_disk)


def inside_the_checklist_command_on_a_full_disk_says_why_in_one_line(disk: Path) -> None:
    import os
    import subprocess
    import sys

    # Open alongside (as the app would be), so the command's own open finds
    # the shared-memory file it could not make room for, and gets to saving.
    alongside = Store.open(disk / "data")[0]
    smallfs.fill(disk)
    r = subprocess.run([sys.executable, "-m", "posture_assistant", "checklist", "--answers", "-"],
                       input='{"back-supported": "yes"}', capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, POSTURE_DATA_DIR=str(disk / "data")))
    assert r.returncode == 1, r
    assert "the disk is full" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert alongside.checklist_runs() == []
    alongside.close()


def test_the_checklist_command_on_a_full_disk_says_why_in_one_line(small_disk):
    small_disk(inside_the_checklist_command_on_a_full_disk_says_why_in_one_line)


# ---- read-only and unmounted ------------------------------------------------------


def inside_a_read_only_disk(disk: Path) -> None:
    from posture_assistant.storage.lock import InstanceLock

    with Store.open(disk / "data")[0] as store:
        store.record("done", NOON)
    smallfs.remount(disk, "ro")
    # Where nothing is there yet, nothing could ever be written: refused.
    try:
        Store.open_for_app(disk / "elsewhere")
    except StoreError as e:
        assert "mounted read-only; set data_dir" in str(e), e
    else:
        raise AssertionError("started a database on a read-only disk")
    # The one-app lock holds on a read-only disk too.
    first, second = InstanceLock(disk / "data"), InstanceLock(disk / "data")
    assert first.acquire() and not second.acquire()
    store, _ = Store.open_for_app(disk / "data")
    assert store.trouble.kind == diskfaults.READ_ONLY, store.trouble
    assert store.day_counts(NOON)["done"] == 1  # what is there is read
    store.record("done", NOON + 1)
    assert store.day_counts(NOON)["done"] == 2 and not store.flush()
    smallfs.remount(disk, "rw")
    assert store.flush()
    store.close()
    assert [r[1] for r in rows(disk / "data")] == [NOON, NOON + 1]


def test_a_read_only_disk(small_disk):
    small_disk(inside_a_read_only_disk)


def inside_an_unmounted_disk_is_waited_for(disk: Path) -> None:
    store_dir = disk / "store"
    store_dir.mkdir()
    mount_point = disk.parent / "mnt"
    mount_point.mkdir()
    smallfs.mount(store_dir)
    import subprocess

    subprocess.run(["mount", "--bind", str(store_dir), str(mount_point)], check=True)
    store, _ = Store.open_for_app(mount_point / "data")
    store.record("done", NOON)
    subprocess.run(["umount", "-l", str(mount_point)], check=True)
    store.record("done", NOON + 1)
    assert store.trouble.kind == diskfaults.GONE and "(unmounted?)" in store.trouble.line
    assert not (mount_point / "data").exists()  # nothing written under the mount point
    subprocess.run(["mount", "--bind", str(store_dir), str(mount_point)], check=True)
    assert store.flush()
    store.close()
    assert [r[1] for r in rows(mount_point / "data")] == [NOON, NOON + 1]


def test_an_unmounted_disk_is_waited_for(small_disk):
    small_disk(inside_an_unmounted_disk_is_waited_for)


# ---- the loop: says it once, writes later, counts it lost only at quit -------------


def inside_the_app_says_once_and_writes_with_the_original_times(disk: Path) -> None:
    from posture_assistant.adapters._util import Unavailable
    from posture_assistant.app.loop import App
    from posture_assistant.app.sensors import Sensors
    from posture_assistant.app.windows import Windows
    from posture_assistant.core import clocks
    from posture_assistant.storage.settings import Settings

    data = disk / "data"
    settings = Settings(data_dir=data, break_interval=3600, notifications=False)
    store, _ = Store.open_for_app(data)
    clock, said = [NOON], []
    sensors = Sensors(working_hours=None, idle=Unavailable("test"),
                      fullscreen=Unavailable("test"), log=said.append,
                      read=lambda: clocks.Reading(clock[0], clock[0], clock[0]))
    app = App(settings, store, tray=Unavailable("test"), windows=Windows("off", [], data, print),
              sensors=sensors, log=said.append, suggestions=[], clock=lambda: clock[0])
    loop = threading.Thread(target=app._run_loop)
    loop.start()

    def ask(command: str, at: float) -> dict:
        clock[0] = at
        reply = app._on_request({"cmd": command})
        assert reply.get("ok"), reply
        return reply

    def full_lines() -> list[str]:
        return [line for line in said if "the disk is full" in line]

    ask("break", NOON)
    filler = smallfs.fill(disk)
    ask("break", NOON + 10)
    ask("break", NOON + 20)
    assert ask("status", NOON + 25)["status"]["today"]["done"] == 3
    assert len(full_lines()) == 1, said
    assert full_lines()[0].endswith("your answers are kept in memory until they can be written")
    filler.unlink()
    ask("status", NOON + 30)  # any wake-up writes them
    assert said[-1].endswith("the 2 events kept in memory are saved"), said
    assert [(r[1], r[3]) for r in rows(data) if r[3] == "done"] == [
        (NOON, "done"), (NOON + 10, "done"), (NOON + 20, "done")]
    filler = smallfs.fill(disk)
    ask("break", NOON + 40)
    ask("quit", NOON + 50)
    loop.join(30)
    assert not loop.is_alive()
    assert len(full_lines()) == 3, said  # a new episode, and the count of the lost
    assert said[-1].startswith("2 events could not be written to the break database and are "
                               "lost: "), said  # the answer, and app_stopped


def test_the_app_says_once_and_writes_with_the_original_times(small_disk):
    small_disk(inside_the_app_says_once_and_writes_with_the_original_times)


# ---- without a namespace ----------------------------------------------------------


def test_a_deleted_data_folder_is_started_anew_not_written_into_the_void(tmp_path):
    data = tmp_path / "data"
    store, _ = Store.open_for_app(data)
    store.record("done", NOON)
    shutil.rmtree(data)  # SQLite itself would write on into the unlinked file
    assert store.record("done", NOON + 1).id == 1
    assert store.trouble is None
    assert store.take_news() == [f"the break database {clip(data / DB_NAME)} was gone; a new one "
                                 "was started there"]
    store.close()
    assert [r[1] for r in rows(data)] == [NOON + 1]


def test_an_unmount_is_told_from_a_deletion_by_the_file_system_above(tmp_path):
    here = diskfaults.device_of(tmp_path)
    assert diskfaults.may_create(tmp_path / "gone" / "data", here)
    assert not diskfaults.may_create(tmp_path / "gone" / "data", here + 1)
    assert diskfaults.mount_point(tmp_path / "gone") == diskfaults.mount_point(tmp_path)


def test_a_closed_store_is_not_reopened(tmp_path):
    store, _ = Store.open_for_app(tmp_path / "data")
    store.close()
    shutil.rmtree(tmp_path / "data")
    with pytest.raises(sqlite3.ProgrammingError):
        store.record("done", NOON)
    assert not (tmp_path / "data").exists() and store.kept == 0


def test_a_bug_is_raised_not_kept(tmp_path):
    store, _ = Store.open_for_app(tmp_path / "data")
    store._con.execute("DROP TABLE events")  # our SQL no longer fits: not the disk's doing
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.record("done", NOON)
    assert store.kept == 0 and store.trouble is None
    store.close()


@pytest.mark.parametrize("error, disk", [
    # Python 3.10 gives only the message.
    (sqlite3.OperationalError("database or disk is full"), True),
    (sqlite3.OperationalError("disk I/O error"), True),
    (sqlite3.OperationalError("attempt to write a readonly database"), True),
    (sqlite3.OperationalError("unable to open database file"), True),
    (sqlite3.OperationalError("database is locked"), True),
    (sqlite3.OperationalError("no such table: events"), False),
    (OSError(28, "No space left on device"), True),
    (OSError(30, "Read-only file system"), True),
    (PermissionError(13, "Permission denied"), False),
    (NotADirectoryError(20, "Not a directory"), False),
])
def test_which_failures_are_waited_out(error, disk):
    assert diskfaults.is_disk_condition(error) is disk
