"""`autostart` and `launcher` as a user runs them (a real subprocess, real
files in temporary XDG folders), which command they write, and the launcher
step of scripts/run."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from posture_assistant.cli.autostart import app_argv
from posture_assistant.cli.run import CHILD_MAIN, child_argv

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(cli_env, tmp_path):
    # An administrator's /etc/xdg/autostart must not change the answers.
    (tmp_path / "etc").mkdir()
    return dict(cli_env, XDG_DATA_HOME=str(tmp_path / "share"),
                XDG_CONFIG_DIRS=str(tmp_path / "etc"), LANGUAGE="en")


def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "posture_assistant", *args], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def entry(env) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "autostart" / "posture-assistant.desktop"


def test_autostart_on_status_off(env):
    r = cli(env, "autostart")
    assert (r.returncode, r.stdout.strip()) == (
        0, "autostart: off; `posture-assistant autostart on` turns it on")
    r = cli(env, "autostart", "on")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"Posture Assistant now starts when you log in ({entry(env)})."
    assert lines[1].startswith("It runs: ") and lines[-1] == "It takes effect at your next login."
    status = json.loads(cli(env, "autostart", "status", "--json").stdout)
    assert status == {"state": "on", "where": str(entry(env)), "command": child_argv(),
                      "reason": None, "backend": "XDG autostart"}
    r = cli(env, "autostart", "on")
    assert r.stdout.strip() == \
        f"Posture Assistant already starts when you log in ({entry(env)})."
    r = cli(env, "autostart", "off")
    assert r.returncode == 0 and not entry(env).exists()
    assert r.stdout.strip() == \
        f"Posture Assistant no longer starts when you log in (removed {entry(env)})."
    assert json.loads(cli(env, "autostart", "--json").stdout)["state"] == "off"


def test_a_file_that_is_not_ours_is_refused_in_one_line(env):
    path = entry(env)
    path.parent.mkdir(parents=True)
    mine = "[Desktop Entry]\nType=Application\nName=Mine\nExec=/usr/bin/true\n"
    path.write_text(mine)
    for action in ("on", "off"):
        r = cli(env, "autostart", action)
        assert r.returncode == 1 and r.stdout == ""
        assert len(r.stderr.splitlines()) == 1 and str(path) in r.stderr, r.stderr
        assert "was not written by posture-assistant" in r.stderr
    assert path.read_text() == mine
    r = cli(env, "autostart", "status")
    assert r.returncode == 0 and "not written by posture-assistant" in r.stdout


def test_status_says_when_the_desktop_turned_it_off(env):
    cli(env, "autostart", "on")
    path = entry(env)
    path.write_text(path.read_text().replace("X-GNOME-Autostart-enabled=true",
                                             "X-GNOME-Autostart-enabled=false"))
    r = cli(env, "autostart")
    assert r.stdout.splitlines()[0] == (
        "autostart: off, turned off in your desktop's settings (X-GNOME-Autostart-enabled="
        f"false) ({path}); `posture-assistant autostart on` turns it on again")
    r = cli(env, "autostart", "on")
    assert "It was turned off in your desktop's settings" in r.stdout


def test_an_entry_left_by_an_older_install_is_reported_and_rewritten(env, tmp_path):
    old = tmp_path / "old-venv" / "bin" / "posture-assistant"
    path = entry(env)
    path.parent.mkdir(parents=True)
    path.write_text(f"[Desktop Entry]\nType=Application\nName=Posture Assistant\nExec={old}\n"
                    "X-Posture-Assistant-Version=0.0.9\n")
    r = cli(env, "autostart")
    assert f"broken, {old} is not there any more" in r.stdout
    r = cli(env, "autostart", "on")
    assert r.returncode == 0 and f"The old entry was broken: {old} is not there" in r.stdout
    assert json.loads(cli(env, "autostart", "--json").stdout)["state"] == "on"


def test_a_config_file_goes_into_the_entry_and_must_load(env, tmp_path):
    config = tmp_path / "my config.toml"
    r = cli(env, "--config", str(config), "autostart", "on")
    assert r.returncode == 2 and "does not exist" in r.stderr and not entry(env).exists()
    config.write_text('break_interval = "45m"\n')
    r = cli(env, "autostart", "on", "--config", str(config))
    assert r.returncode == 0, r.stderr
    command = json.loads(cli(env, "autostart", "--json").stdout)["command"]
    assert command[-2:] == ["--config", str(config)]


def test_launcher_on_status_off(env):
    desktop = Path(env["XDG_DATA_HOME"]) / "applications" / "posture-assistant.desktop"
    r = cli(env, "launcher", "on")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == (
        f"Posture Assistant is now in your app menu ({desktop}); "
        "`posture-assistant launcher off` removes it.")
    assert (Path(env["XDG_DATA_HOME"]) / "icons" / "hicolor" / "48x48" / "apps" /
            "posture-assistant.png").is_file()
    assert cli(env, "launcher").stdout.startswith(f"app-menu entry: on ({desktop})")
    r = cli(env, "launcher", "off")
    assert r.returncode == 0 and not desktop.exists()


def test_a_bad_action_is_a_usage_error(env):
    r = cli(env, "autostart", "maybe")
    assert r.returncode == 2 and "invalid choice: 'maybe'" in r.stderr


# ---- which command the entry runs -------------------------------------------


def script(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("#!/bin/sh\n")
    return folder / name


def test_the_running_console_script_is_the_command(tmp_path):
    exe = script(tmp_path / "venv" / "bin", "posture-assistant")
    assert app_argv(argv0=str(exe), platform="linux") == [str(exe)]


def test_pythons_launcher_on_windows_drops_exe_from_argv0(tmp_path):
    exe = script(tmp_path / "Scripts", "posture-assistant.exe")
    assert app_argv(argv0=str(tmp_path / "Scripts" / "posture-assistant"),
                    executable=str(tmp_path / "Scripts" / "python.exe"),
                    platform="win32") == [str(exe)]


def test_windows_prefers_pythonw_so_no_console_window_opens(tmp_path):
    exe = script(tmp_path / "Scripts", "posture-assistant.exe")
    pythonw = script(tmp_path / "Scripts", "pythonw.exe")
    assert app_argv(argv0=str(exe), executable=str(tmp_path / "Scripts" / "python.exe"),
                    platform="win32") == [str(pythonw), "-c", CHILD_MAIN]


def test_python_dash_m_gets_this_python_with_the_package(tmp_path):
    main = tmp_path / "posture_assistant" / "__main__.py"
    assert app_argv(argv0=str(main), platform="linux") == child_argv()
    assert app_argv(argv0="-c", platform="linux") == child_argv()
    other = script(tmp_path / "bin", "something-else")
    assert app_argv(argv0=str(other), platform="linux") == child_argv()


def test_the_config_is_passed_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exe = script(tmp_path / "bin", "posture-assistant")
    assert app_argv(Path("c.toml"), argv0=str(exe), platform="linux") == \
        [str(exe), "--config", str(tmp_path / "c.toml")]


# ---- scripts/run ------------------------------------------------------------


def test_scripts_run_adds_the_launcher_once_per_venv(tmp_path):
    """scripts/run in a copy of the tree whose installers are stubs and
    whose app records how it was called."""
    bash = shutil.which("bash")
    if not bash:
        pytest.skip("no bash")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run", tmp_path / "scripts" / "run")
    for name in ("system-packages", "venv"):
        stub = tmp_path / "scripts" / name
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
    log = tmp_path / "calls"
    app = tmp_path / ".venv" / "bin" / "posture-assistant"
    app.parent.mkdir(parents=True)
    app.write_text(f'#!/bin/sh\necho "$*" >> {log}\n'
                   '[ "$1" = launcher ] && echo "Posture Assistant is now in your app menu." '
                   '&& echo "It runs: x"\nexit 0\n')
    app.chmod(0o755)

    def run(*args):
        return subprocess.run([bash, str(tmp_path / "scripts" / "run"), *args],
                              capture_output=True, text=True, timeout=60)

    first = run("--no-tray")
    assert first.returncode == 0, first.stderr
    assert first.stderr == "run: Posture Assistant is now in your app menu.\n"
    second = run()
    assert second.returncode == 0 and second.stderr == ""
    assert log.read_text().splitlines() == ["launcher on", "--no-tray", ""]
