"""The command line as a user runs it: a real subprocess, no app running."""
import json
import subprocess
import sys

import pytest


def cli(cli_env, *args):
    return subprocess.run([sys.executable, "-m", "posture_assistant", *args], env=cli_env,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


def test_version_and_help(cli_env):
    from posture_assistant import __version__

    assert cli(cli_env, "--version").stdout.strip() == f"posture-assistant {__version__}"
    out = cli(cli_env, "--help").stdout
    for command in ("status", "done", "snooze", "skip", "break", "quit", "config"):
        assert command in out


def test_status_without_the_app_reads_the_database(cli_env):
    from pathlib import Path

    from posture_assistant.storage.store import Store

    import time

    store, _ = Store.open(Path(cli_env["POSTURE_DATA_DIR"]))
    store.record("done", time.time())
    store.close()
    r = cli(cli_env, "status", "--json")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert status["running"] is False and status["today"]["done"] == 1
    assert status["next_break_at"] is None
    r = cli(cli_env, "status")
    assert "not running" in r.stdout and "1 break taken" in r.stdout


@pytest.mark.parametrize("command", ["done", "skip", "break", "quit", "snooze"])
def test_control_commands_say_not_running_and_exit_1(cli_env, command):
    r = cli(cli_env, command)
    assert r.returncode == 1
    assert r.stderr.strip() == ("posture-assistant: Posture Assistant is not running. "
                                "Start it with `posture-assistant`.")


def test_a_bad_snooze_duration_exits_2(cli_env):
    r = cli(cli_env, "snooze", "later")
    assert r.returncode == 2
    assert "'later' is not a duration" in r.stderr and len(r.stderr.splitlines()) == 1


def test_config_shows_values_and_sources(cli_env, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('break_interval = "45m"\n')
    r = cli(dict(cli_env, POSTURE_MAX_SNOOZES="2"), "--config", str(config), "config")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"config file: {config}"
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines[1:]}
    assert rows["break_interval"] == ["45m", f"file {config} (break_interval)"]
    assert rows["max_snoozes"] == ["2", "env POSTURE_MAX_SNOOZES"]
    assert rows["reminder_interval"] == ["10m", "default"]


def test_a_bad_setting_is_one_line_for_every_command(cli_env):
    r = cli(dict(cli_env, POSTURE_REMINDER_INTERVAL="often"), "status")
    assert r.returncode == 2
    assert r.stderr.startswith("posture-assistant: invalid setting reminder_interval = 'often'")
    assert len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize("args, words", [
    (("pause", "400000000000"), "must be at most 366d"),
    (("snooze", "8d"), "must be at most 7d"),
])
def test_lengths_past_the_bounds_are_one_line(cli_env, args, words):
    r = cli(cli_env, *args)
    assert r.returncode == 2 and words in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
