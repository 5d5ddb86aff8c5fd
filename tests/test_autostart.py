"""Autostart and the app-menu entry on Linux: real files in temporary XDG
folders, read back by other readers than ours (configparser,
desktop-file-validate, GLib's `gio launch`), and their Exec lines run."""
from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, strategies as st

from posture_assistant import __version__
from posture_assistant.adapters.autostart import (
    DISABLED, NOT_OURS, OFF, ON, STALE, NotOurs, open_autostart, open_launcher,
)
from posture_assistant.adapters.autostart import _desktop_entry as de
from posture_assistant.adapters.autostart._launcher import ICON_SIZES, WM_CLASS, XdgLauncher
from posture_assistant.adapters.autostart._xdg import XdgAutostart
from posture_assistant.cli.autostart import app_argv
from tests.desktop import REQUIRED

PRINT_ARGS = "import json, sys; print(json.dumps(sys.argv[1:]))\n"
# Every reserved character of the Exec rules, the two escape layers, field
# codes, and an empty argument.
NASTY = ["a b", 'say "hi"', "back\\slash", "$HOME", "`tick`", "100%", "%f", "semi;colon",
         "it's", "~", "<>|&*?#()", "tab\there", ""]


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if not found:
        if REQUIRED:
            pytest.fail(f"POSTURE_E2E=required but {name} is missing ({package})", pytrace=False)
        pytest.skip(f"{name} is not installed ({package}; scripts/system-packages test)")
    return found


def program(folder: Path, name: str = "posture-assistant") -> Path:
    """An executable that prints the arguments it got, as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{PRINT_ARGS}")
    path.chmod(0o755)
    return path


def parsed(path: Path) -> configparser.RawConfigParser:
    """The file as the standard library's INI reader sees it: a second
    opinion on our writer, with our reader out of the loop."""
    reader = configparser.RawConfigParser(delimiters=("=",), comment_prefixes=("#",),
                                          strict=True, interpolation=None)
    reader.optionxform = str  # keys are case-sensitive
    reader.read(path, encoding="utf-8")
    return reader


def with_args(entry: Path, out: Path, *extra: str, group: str = de.GROUP) -> Path:
    """A copy of `entry` whose Exec (in `group`) has `extra` appended, as a
    user would add it."""
    lines, current = [], None
    for line in entry.read_text().splitlines():
        if line.startswith("["):
            current = line[1:-1]
        if current == group and line.startswith("Exec="):
            line += "".join(" " + de.escape(de.quote_exec([a])) for a in extra)
        lines.append(line)
    out.write_text("\n".join(lines) + "\n")
    return out


def gio_launch(entry: Path, cwd: Path) -> subprocess.CompletedProcess:
    # gio returns at once; the output pipe stays open until the program it
    # started ends, so this waits for that too.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    return subprocess.run([tool("gio", "libglib2.0-bin"), "launch", str(entry)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def autostart(tmp_path) -> XdgAutostart:
    return XdgAutostart(config_home=tmp_path / "config", config_dirs=[tmp_path / "etc"])


@pytest.fixture
def launcher(tmp_path) -> XdgLauncher:
    return XdgLauncher(data_home=tmp_path / "data")


@pytest.fixture
def decoy(tmp_path) -> Path:
    """A working directory whose posture_assistant/ must never run."""
    (tmp_path / "cwd" / "posture_assistant").mkdir(parents=True)
    (tmp_path / "cwd" / "posture_assistant" / "__init__.py").write_text(
        "raise SystemExit('the decoy ran')\n")
    return tmp_path / "cwd"


# ---- the autostart entry ----------------------------------------------------


def test_on_writes_an_entry_other_readers_understand(autostart, tmp_path):
    exe = program(tmp_path / "bin")
    before, after = autostart.enable([str(exe)])
    assert (before.state, after.state) == (OFF, ON)
    assert autostart.path == tmp_path / "config" / "autostart" / "posture-assistant.desktop"
    entry = parsed(autostart.path)[de.GROUP]
    assert entry["Type"] == "Application" and entry["Name"] == "Posture Assistant"
    assert entry["Exec"] == str(exe) and entry["TryExec"] == str(exe)
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert entry[de.MARKER] == __version__
    assert Path(entry["Icon"]).is_file()
    assert entry["Comment[de]"] and entry["Comment[de]"] != entry["Comment"]
    assert after.command == (str(exe),) and after.where == str(autostart.path)
    assert oct(autostart.path.stat().st_mode & 0o777) == "0o644"


def test_the_entries_pass_desktop_file_validate(autostart, launcher, tmp_path):
    validate = tool("desktop-file-validate", "desktop-file-utils")
    exe = program(tmp_path / "dir with space$")
    autostart.enable([str(exe), "--config", "/a b/c.toml"])
    launcher.enable([str(exe)])
    for path in (autostart.path, launcher.path):
        r = subprocess.run([validate, str(path)], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def test_the_exec_line_starts_this_app_from_anywhere(autostart, decoy):
    """The command the CLI picks for this process, written, read back and
    run with --version in a folder holding a decoy package."""
    autostart.enable(app_argv())
    argv = de.split_exec(parsed(autostart.path)[de.GROUP]["Exec"].replace("\\\\", "\\"))
    assert argv == list(autostart.status().command)
    r = subprocess.run([*argv, "--version"], cwd=decoy, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"posture-assistant {__version__}"


def test_glib_runs_the_entry_as_written(autostart, decoy, tmp_path):
    """GLib's own desktop-entry launcher (what GNOME and XFCE use) runs it."""
    autostart.enable(app_argv())
    r = gio_launch(with_args(autostart.path, tmp_path / "v.desktop", "--version"), decoy)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"posture-assistant {__version__}"


def test_glib_reads_every_reserved_character_back(autostart, tmp_path):
    # No % in the program's folder: GLib 2.74 looks for the program before
    # it undoes %%, and so finds none (the arguments are fine).
    exe = program(tmp_path / "we$ird `dir` \"q\" it's")
    autostart.enable([str(exe), *NASTY])
    r = gio_launch(autostart.path, tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == NASTY
    assert autostart.status().command == (str(exe), *NASTY)


@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=12), min_size=1,
                max_size=5))
@example(["a\u2028", "\x85b", " lead", "trail ", "\r", "end\u2028"])
def test_exec_quoting_round_trips(argv):
    text = de.render([(de.GROUP, [("Exec", de.quote_exec(argv)), ("Name", "x")])])
    assert len(text.split("\n")) == 4  # one line per key
    assert de.split_exec(de.parse(text)[de.GROUP]["Exec"]) == argv


def test_a_second_on_changes_nothing(autostart, tmp_path):
    exe = program(tmp_path / "bin")
    autostart.enable([str(exe)])
    stamp = autostart.path.stat().st_mtime_ns
    before, after = autostart.enable([str(exe)])
    assert before == after and before.state == ON
    assert autostart.path.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("key, value", [("X-GNOME-Autostart-enabled", "false"),
                                        ("Hidden", "true"),
                                        ("X-MATE-Autostart-enabled", "false")])
def test_turned_off_in_the_desktops_settings(autostart, tmp_path, key, value):
    exe = program(tmp_path / "bin")
    autostart.enable([str(exe)])
    text = autostart.path.read_text().replace("X-GNOME-Autostart-enabled=true\n", "")
    autostart.path.write_text(text + f"{key}={value}\n")
    status = autostart.status()
    assert status.state == DISABLED and f"{key}={value}" in status.reason
    before, after = autostart.enable([str(exe)])
    assert (before.state, after.state) == (DISABLED, ON)
    assert f"{key}={value}" not in autostart.path.read_text()


def test_an_entry_of_an_older_install_is_stale_until_on(autostart, tmp_path):
    old = program(tmp_path / "old venv" / "bin")
    autostart.enable([str(old)])
    shutil.rmtree(tmp_path / "old venv")
    status = autostart.status()
    assert status.state == STALE and str(old) in status.reason
    new = program(tmp_path / "new" / "bin")
    before, after = autostart.enable([str(new)])
    assert (before.state, after.state) == (STALE, ON) and after.command == (str(new),)


@pytest.mark.parametrize("text", ["[Desktop Entry]\nType=Application\nExec=my-own-thing\n",
                                  "not a desktop file\n", "\x00\xff"])
def test_a_file_we_did_not_write_is_never_touched(autostart, tmp_path, text):
    autostart.path.parent.mkdir(parents=True)
    autostart.path.write_text(text, encoding="latin-1")
    assert autostart.status().state == NOT_OURS
    for change in (lambda: autostart.enable([str(program(tmp_path / "bin"))]),
                   autostart.disable):
        with pytest.raises(NotOurs) as refused:
            change()
        assert refused.value.where == str(autostart.path)
    assert autostart.path.read_text(encoding="latin-1") == text


def test_off_removes_the_entry(autostart, tmp_path):
    autostart.enable([str(program(tmp_path / "bin"))])
    before, after = autostart.disable()
    assert (before.state, after.state) == (ON, OFF) and not autostart.path.exists()
    assert autostart.disable()[0].state == OFF


def test_a_system_wide_entry_is_masked_for_this_user(autostart, tmp_path):
    system = tmp_path / "etc" / "autostart" / "posture-assistant.desktop"
    system.parent.mkdir(parents=True)
    exe = program(tmp_path / "bin")
    system.write_text(f"[Desktop Entry]\nType=Application\nName=PA\nExec={exe}\n")
    status = autostart.status()
    assert status.state == ON and status.where == str(system)
    before, after = autostart.disable()
    assert after.state == OFF and str(system) in after.reason
    assert de.is_true(parsed(autostart.path)[de.GROUP]["Hidden"])
    assert system.exists()
    assert autostart.enable([str(exe)])[1].state == ON
    assert autostart.disable()[1].state == OFF and autostart.path.exists()
    system.unlink()
    assert autostart.status().state == OFF
    autostart.disable()
    assert not autostart.path.exists()


def test_the_xdg_variables_choose_the_folders(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    assert open_autostart().path == tmp_path / "c" / "autostart" / "posture-assistant.desktop"
    assert open_launcher().path == tmp_path / "d" / "applications" / "posture-assistant.desktop"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/c")  # the spec says: ignore it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert open_autostart().path == tmp_path / "home" / ".config" / "autostart" / \
        "posture-assistant.desktop"


# ---- the app-menu entry -----------------------------------------------------


def test_launcher_on_writes_the_entry_and_the_icons(launcher, tmp_path):
    from PIL import Image

    exe = program(tmp_path / "bin")
    before, after = launcher.enable([str(exe)])
    assert (before.state, after.state) == (OFF, ON)
    entry = parsed(launcher.path)
    main = entry[de.GROUP]
    assert main["Icon"] == "posture-assistant" and main["StartupWMClass"] == WM_CLASS
    assert main["Categories"] == "Utility;" and main["Keywords"].endswith(";")
    assert main["Keywords[de]"].endswith(";") and main["Name"] == "Posture Assistant"
    assert main["StartupNotify"] == "false" and main["Actions"] == "checklist;"
    assert de.split_exec(entry["Desktop Action checklist"]["Exec"]) == \
        [str(exe), "checklist", "--window"]
    for n in ICON_SIZES:
        icon = tmp_path / "data" / "icons" / "hicolor" / f"{n}x{n}" / "apps" / \
            "posture-assistant.png"
        with Image.open(icon) as image:
            assert image.size == (n, n) and image.mode == "RGBA"


def test_the_launchers_action_runs_the_checklist(launcher, tmp_path):
    exe = program(tmp_path / "bin")
    launcher.enable([str(exe), "--config", "/my config.toml"])
    r = gio_launch(with_args(launcher.path, tmp_path / "a.desktop"), tmp_path)
    assert json.loads(r.stdout) == ["--config", "/my config.toml"]
    groups = de.read(launcher.path)
    assert de.split_exec(groups["Desktop Action checklist"]["Exec"]) == \
        [str(exe), "--config", "/my config.toml", "checklist", "--window"]


def test_a_missing_icon_is_repaired_by_on(launcher, tmp_path):
    exe = program(tmp_path / "bin")
    launcher.enable([str(exe)])
    launcher.icon(48).unlink()
    status = launcher.status()
    assert status.state == STALE and "icon" in status.reason
    assert launcher.enable([str(exe)])[1].state == ON and launcher.icon(48).is_file()


def test_launcher_off_removes_the_entry_and_the_icons(launcher, tmp_path):
    launcher.enable([str(program(tmp_path / "bin"))])
    before, after = launcher.disable()
    assert (before.state, after.state) == (ON, OFF)
    assert not launcher.path.exists()
    assert not any(launcher.icon(n).exists() for n in ICON_SIZES)


def test_launcher_leaves_a_menu_entry_it_did_not_write(launcher, tmp_path):
    launcher.path.parent.mkdir(parents=True)
    launcher.path.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=mine\n")
    with pytest.raises(NotOurs):
        launcher.enable([str(program(tmp_path / "bin"))])
    with pytest.raises(NotOurs):
        launcher.disable()
    assert "Name=Mine" in launcher.path.read_text()
    assert not launcher.icon(48).exists()
