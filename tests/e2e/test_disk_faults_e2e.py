"""The real app on a real small disk (a tmpfs of 512 KB in a namespace of the
test's own, see tests/smallfs.py) that fills up, goes read-only, is deleted
or unmounted under it: it keeps running and prompting, says once what is
wrong, and writes every acknowledged answer, with its own time, once the
disk is back. Needs no desktop: the app runs --headless."""
from __future__ import annotations

import re

import pytest

from tests import smallfs
from tests.desktop import REQUIRED


@pytest.fixture
def scene(tmp_path, cli_env):
    reason = smallfs.unavailable(tmp_path)
    if reason:
        if REQUIRED:
            pytest.fail(f"POSTURE_E2E=required but {reason}", pytrace=False)
        pytest.skip(reason)
    env = {k: v for k, v in cli_env.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(POSTURE_DATA_DIR=str(tmp_path / "disk" / "data"), POSTURE_BREAK_INTERVAL="2s",
               POSTURE_REMINDER_INTERVAL="1h", POSTURE_NOTIFICATIONS="off")
    return lambda name: smallfs.run(name, tmp_path, env)


def acknowledged(out: dict) -> list[dict]:
    steps = out["steps"]
    assert steps and all(s["code"] == 0 for s in steps), steps
    return steps


def assert_written_in_order(out: dict, steps: list[dict]) -> None:
    """Each answer is in the database once, at the moment it was given."""
    done = [ts for kind, ts in out["rows"] if kind == "done"]
    answered = [s for s in steps if s["verb"] == "done"]
    assert len(done) >= len(answered), (out["rows"], steps)
    for step, ts in zip(answered, done[-len(answered):]):
        assert step["from"] - 0.5 <= ts <= step["to"] + 0.5, (step, ts)
    times = [ts for _, ts in out["rows"]]
    assert times == sorted(times), out["rows"]


def assert_clean(out: dict) -> None:
    assert out["quit"] == 0 and out["exit"] == 0, out["log"]
    assert "Traceback" not in out["log"], out["log"]


def test_a_disk_that_fills_while_running_loses_no_answer(scene):
    out = scene("full_while_running")
    steps = acknowledged(out)
    assert out["alive_while_full"], out["log"]
    assert out["done_rows_while_full"] == 1  # the first; two wait in memory
    assert out["status_while_full"]["today"]["done"] == 3  # counted all the same
    log = out["log"]
    assert log.count("the disk is full; free some space on") == 1, log
    assert log.count("kept in memory until they can be written") == 1, log
    assert log.count("can be written again") == 1, log
    assert_written_in_order(out, steps)
    assert_clean(out)


def test_quitting_before_the_space_returns_says_how_many_are_lost(scene):
    out = scene("quit_while_full")
    acknowledged(out)
    assert_clean(out)
    lost = re.search(r"(\d+) events? could not be written to the break database and (is|are) "
                     r"lost: cannot write to the break database .*: the disk is full", out["log"])
    assert lost and int(lost[1]) >= 1, out["log"]


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_start_on_a_full_disk_starts_and_writes_later(scene, existing):
    out = scene("start_full_existing" if existing else "start_full_new")
    steps = acknowledged(out)
    assert out["status_while_full"]["today"]["done"] == 1 + existing
    log = out["log"]
    assert log.count("the disk is full") == 1, log
    assert log.count("can be written again") == 1, log
    assert_written_in_order(out, steps)
    assert_clean(out)


def test_a_start_on_a_read_only_disk_reads_what_is_there_and_writes_later(scene):
    out = scene("read_only")
    steps = acknowledged(out)
    assert out["status_while_read_only"]["today"]["done"] == 2  # one on disk, one kept
    log = out["log"]
    assert log.count("is mounted read-only; mount it read-write again") == 1, log
    assert log.count("can be written again") == 1, log
    assert_written_in_order(out, steps)
    assert_clean(out)


def test_a_deleted_data_folder_is_made_again_with_a_new_database(scene):
    out = scene("vanished")
    steps = acknowledged(out)
    # The first answer went with the folder the user deleted; the second
    # is in the new database, written at once: nothing needed keeping.
    assert [kind for kind, _ in out["rows"]].count("done") == 1
    assert_written_in_order(out, steps[1:])
    log = out["log"]
    assert log.count("was gone; a new one was started there") == 1, log
    assert "kept in memory" not in log, log
    assert_clean(out)


def test_an_unmounted_disk_is_waited_for_not_written_under(scene):
    out = scene("unmounted")
    steps = acknowledged(out)
    assert not out["created_in_mount_point"]
    log = out["log"]
    assert log.count("(unmounted?); mount the disk that held it again") == 1, log
    assert log.count("can be written again") == 1, log
    assert_written_in_order(out, steps)
    assert_clean(out)
