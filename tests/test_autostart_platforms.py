"""Autostart on Windows and macOS, which cannot run here: the registry
calls recorded by a fake winreg, the LaunchAgent written to a temporary
home and read back with plistlib, launchctl answered by a fake."""
from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from posture_assistant import __version__
from posture_assistant.adapters.autostart import (
    DISABLED, NOT_OURS, OFF, ON, STALE, NotOurs, Unavailable, open_autostart, open_launcher,
)
from posture_assistant.adapters.autostart._darwin import LABEL, DarwinAutostart, disabled_labels
from posture_assistant.adapters.autostart._win32 import (
    APPROVED, RUN, VALUE, Win32Autostart, split_command_line,
)
from posture_assistant.cli.run import CHILD_MAIN

HKCU = "HKEY_CURRENT_USER"


class FakeWinreg:
    """The part of winreg the backend uses, over a dict, recording every call."""

    HKEY_CURRENT_USER = HKCU
    KEY_QUERY_VALUE, KEY_SET_VALUE = 1, 2
    REG_SZ, REG_BINARY = 1, 3

    def __init__(self, keys: dict[str, dict[str, tuple[object, int]]]) -> None:
        self.keys = keys
        self.calls: list[tuple] = []

    def OpenKey(self, root, path, reserved=0, access=KEY_QUERY_VALUE):  # noqa: N802 (winreg's names)
        self.calls.append(("OpenKey", root, path, access))
        if root != HKCU or path not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return _Handle(path)

    def QueryValueEx(self, key, name):  # noqa: N802
        self.calls.append(("QueryValueEx", key.path, name))
        try:
            return self.keys[key.path][name]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def SetValueEx(self, key, name, reserved, kind, value):  # noqa: N802
        self.calls.append(("SetValueEx", key.path, name, kind, value))
        self.keys[key.path][name] = (value, kind)

    def DeleteValue(self, key, name):  # noqa: N802
        self.calls.append(("DeleteValue", key.path, name))
        try:
            del self.keys[key.path][name]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def changes(self) -> list[tuple]:
        return [c for c in self.calls if c[0] in ("SetValueEx", "DeleteValue")]


class _Handle:
    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def pythonw(tmp_path: Path) -> Path:
    """A stand-in for a Python installed in a folder with a space."""
    exe = tmp_path / "Program Files" / "Python311" / "pythonw.exe"
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_text("")
    exe.chmod(0o755)
    return exe


# ---- Windows ----------------------------------------------------------------


def test_windows_on_writes_a_quoted_run_value(tmp_path):
    reg = FakeWinreg({RUN: {}})
    argv = [str(pythonw(tmp_path)), "-c", CHILD_MAIN]
    before, after = Win32Autostart(reg).enable(argv)
    assert (before.state, after.state) == (OFF, ON)
    (call,) = reg.changes()
    line = call[4]
    assert call[:4] == ("SetValueEx", RUN, "Posture Assistant", reg.REG_SZ)
    assert line.startswith(f'"{argv[0]}" -c "import sys;')
    assert split_command_line(line) == argv and after.command == tuple(argv)
    assert after.where == rf"HKEY_CURRENT_USER\{RUN}\Posture Assistant"


def test_windows_status_reads_task_managers_switch(tmp_path):
    argv = [str(pythonw(tmp_path)), "-c", CHILD_MAIN]
    line = subprocess.list2cmdline(argv)
    reg = FakeWinreg({RUN: {VALUE: (line, 1)},
                      APPROVED: {VALUE: (bytes.fromhex("030000004f0d438dc83bd901"), 3)}})
    backend = Win32Autostart(reg)
    status = backend.status()
    assert status.state == DISABLED and "Task Manager" in status.reason
    before, after = backend.enable(argv)
    assert (before.state, after.state) == (DISABLED, ON)
    assert ("DeleteValue", APPROVED, VALUE) in reg.changes()
    reg.keys[APPROVED][VALUE] = (bytes.fromhex("020000000000000000000000"), 3)
    assert backend.status().state == ON


def test_windows_stale_and_off(tmp_path):
    gone = str(tmp_path / "old" / "posture-assistant.exe")
    reg = FakeWinreg({RUN: {VALUE: (f'"{gone}"', 1)}, APPROVED: {}})
    backend = Win32Autostart(reg)
    status = backend.status()
    assert status.state == STALE and gone in status.reason
    before, after = backend.disable()
    assert (before.state, after.state) == (STALE, OFF)
    assert ("DeleteValue", RUN, VALUE) in reg.changes()
    assert backend.disable()[0].state == OFF


def test_windows_leaves_someone_elses_value(tmp_path):
    reg = FakeWinreg({RUN: {VALUE: (r'"C:\Tools\other.exe" --tray', 1)}})
    backend = Win32Autostart(reg)
    assert backend.status().state == NOT_OURS
    with pytest.raises(NotOurs):
        backend.enable([str(pythonw(tmp_path)), "-c", CHILD_MAIN])
    with pytest.raises(NotOurs):
        backend.disable()
    assert reg.changes() == []


@pytest.mark.parametrize("line, argv", [
    (r'"C:\Program Files\App\app.exe" -c "a b" x', [r"C:\Program Files\App\app.exe", "-c",
                                                     "a b", "x"]),
    (r"C:\App\app.exe a\\b \"q\" ", [r"C:\App\app.exe", r"a\\b", '"q"']),
    (r'C:\App\app.exe "a\\" b', [r"C:\App\app.exe", "a\\", "b"]),
    (r'"C:\App\app.exe"', [r"C:\App\app.exe"]),
])
def test_windows_command_lines_split_as_windows_does(line, argv):
    assert split_command_line(line) == argv


@given(st.lists(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                        max_size=10), max_size=5))
def test_windows_quoting_round_trips(args):
    argv = [r"C:\Program Files\Python\pythonw.exe", *args]
    assert split_command_line(subprocess.list2cmdline(argv)) == argv


def test_windows_without_winreg_is_unavailable_here(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    found = open_autostart()
    assert isinstance(found, Unavailable) and "registry" in found.reason
    launcher = open_launcher()
    assert isinstance(launcher, Unavailable) and "Linux" in launcher.reason


# ---- macOS ------------------------------------------------------------------


class FakeLaunchctl:
    def __init__(self, disabled: str = "") -> None:
        self.disabled = disabled
        self.calls: list[list[str]] = []

    def __call__(self, argv: list[str]) -> subprocess.CompletedProcess:
        self.calls.append(argv)
        out = ""
        if argv[1] == "print-disabled":
            out = f"disabled services = {{\n{self.disabled}}}\n"
        elif argv[1] == "enable":
            self.disabled = ""
        return subprocess.CompletedProcess(argv, 0, out, "")


def agent_file(home: Path) -> Path:
    return home / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def test_macos_on_writes_a_launch_agent_and_runs_no_launchctl(tmp_path):
    launchctl = FakeLaunchctl()
    exe = pythonw(tmp_path)  # any program that exists
    backend = DarwinAutostart(tmp_path, launchctl, uid=501)
    before, after = backend.enable([str(exe), "--config", "/a b.toml"])
    assert (before.state, after.state) == (OFF, ON)
    with open(agent_file(tmp_path), "rb") as fh:
        plist = plistlib.load(fh)
    assert plist["Label"] == LABEL == "local.posture-assistant"
    assert plist["ProgramArguments"] == [str(exe), "--config", "/a b.toml"]
    assert plist["RunAtLoad"] is True and "KeepAlive" not in plist
    assert plist["PostureAssistantVersion"] == __version__
    assert plist["StandardErrorPath"].startswith(str(tmp_path / "Library" / "Logs"))
    assert oct(agent_file(tmp_path).stat().st_mode & 0o777) == "0o644"
    # Only ever asked, never told: the file is enough for the next login.
    assert {tuple(c[:2]) for c in launchctl.calls} == {("launchctl", "print-disabled")}
    assert "no launchctl command is needed" in backend.takes_effect


def test_macos_switched_off_in_login_items(tmp_path):
    launchctl = FakeLaunchctl(f'\t"{LABEL}" => disabled\n\t"com.apple.x" => enabled\n')
    backend = DarwinAutostart(tmp_path, launchctl, uid=501)
    exe = str(pythonw(tmp_path))
    backend.enable([exe])
    status = backend.status()
    assert status.state == DISABLED and "Login Items" in status.reason
    before, after = backend.enable([exe])
    assert (before.state, after.state) == (DISABLED, ON)
    assert ["launchctl", "enable", f"gui/501/{LABEL}"] in launchctl.calls


@pytest.mark.parametrize("output, found", [
    ('\t"local.posture-assistant" => disabled\n', {"local.posture-assistant"}),
    ('\t"local.posture-assistant" => true\n\t"b" => false\n', {"local.posture-assistant"}),
    ('\t"local.posture-assistant" => enabled\n', set()),
    ("", set()),
])
def test_macos_print_disabled_in_old_and_new_words(output, found):
    assert disabled_labels(output) == found


def test_macos_without_launchctl_the_file_decides(tmp_path):
    def missing(argv):
        raise FileNotFoundError(2, "No such file", "launchctl")

    backend = DarwinAutostart(tmp_path, missing, uid=501)
    assert backend.enable([str(pythonw(tmp_path))])[1].state == ON


@pytest.mark.parametrize("content", [
    plistlib.dumps({"Label": LABEL, "ProgramArguments": ["/opt/mine"], "RunAtLoad": True}),
    b"not a plist",
])
def test_macos_leaves_an_agent_it_did_not_write(tmp_path, content):
    path = agent_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    backend = DarwinAutostart(tmp_path, FakeLaunchctl(), uid=501)
    assert backend.status().state == NOT_OURS
    for change in (lambda: backend.enable([str(pythonw(tmp_path))]), backend.disable):
        with pytest.raises(NotOurs):
            change()
    assert path.read_bytes() == content


def test_macos_stale_then_off(tmp_path):
    backend = DarwinAutostart(tmp_path, FakeLaunchctl(), uid=501)
    exe = pythonw(tmp_path)
    backend.enable([str(exe)])
    exe.unlink()
    assert backend.status().state == STALE
    before, after = backend.disable()
    assert (before.state, after.state) == (STALE, OFF) and not agent_file(tmp_path).exists()
