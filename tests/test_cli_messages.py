"""Every error the command line prints is one short line, whatever the user
typed: long arguments are cut, line breaks flattened, and a value the
terminal cannot encode is escaped rather than a crash."""
import os
import subprocess
import sys

import pytest


def cli(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "posture_assistant", *args], env=env,
                          capture_output=True, timeout=30, stdin=subprocess.DEVNULL, **kw)


def one_line(r) -> str:
    err = r.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and len(lines[0]) <= 300, err[:1000]
    return lines[0]


@pytest.mark.parametrize("args, words", [
    (["x" * 20000], ["invalid choice: 'xxxxxxxxxxxxxxxxxxx…", "(see `posture-assistant --help`)"]),
    (["pause", "5m", "y" * 20000], ["unrecognized arguments: yyyyyyyyy", "--help"]),
    (["pause", "5m", "a\nb\x1b[31m"], ["unrecognized arguments: a\\nb\\x1b[31m"]),
    (["autostart", "maybe"], ["invalid choice: 'maybe'", "posture-assistant autostart --help"]),
    (["snooze", "z" * 20000], ["snooze: 'zzzzzzzz", "is not a duration"]),
    (["pause", "\U0001f642" * 5000], ["pause: '\U0001f642\U0001f642", "is not a duration"]),
])
def test_usage_errors_are_one_short_line(cli_env, args, words):
    r = cli(cli_env, *args)
    assert r.returncode == 2
    line = one_line(r)
    for word in words:
        assert word in line


def test_a_path_that_is_not_utf8_on_a_strict_terminal(cli_env, tmp_path):
    # A UTF-8 locale other than C.UTF-8 makes Python's stdout strict.
    folder = os.fsencode(str(tmp_path)) + b"/caf\xe9"
    os.mkdir(folder)
    with open(folder + b"/config.toml", "w") as fh:
        fh.write('break_interval = "50m"\n')
    env = dict(cli_env, PYTHONIOENCODING="utf-8:strict")
    r = cli(env, "--config", os.fsdecode(folder + b"/config.toml"), "config")
    assert r.returncode == 0 and r.stderr == b"", r.stderr.decode()[-500:]
    assert b"caf\\udce9/config.toml" in r.stdout


def test_a_data_dir_that_is_not_utf8_is_refused(cli_env, tmp_path):
    env = dict(cli_env, POSTURE_DATA_DIR=os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9"))
    for command in ("status", "config", "done"):
        r = cli(env, command)
        assert r.returncode == 2 and "not UTF-8" in one_line(r)


def test_main_keeps_an_error_to_one_line(monkeypatch, capsys):
    from posture_assistant import cli as package
    from posture_assistant.cli._console import CliError

    def fails(_args):
        raise CliError("cannot use /tmp/a\nb:\tPermission denied\r\n")
    monkeypatch.setitem(package.COMMANDS, "config", fails)
    assert package.main(["config"]) == 1
    assert capsys.readouterr().err == "posture-assistant: cannot use /tmp/a b: Permission denied\n"


@pytest.mark.parametrize("command", [["status"], ["checklist", "--last"], ["run", "--headless"]])
def test_a_data_dir_that_cannot_be_made_is_one_short_line(cli_env, tmp_path, command):
    # Valid as a setting, refused by the file system (a name over 255 bytes).
    env = dict(cli_env, POSTURE_DATA_DIR=str(tmp_path / ("a" * 300) / "data"))
    r = cli(env, *command)
    assert r.returncode == 1
    assert "cannot use" in one_line(r)
