"""The app as users install it: an sdist and a wheel built from this tree, the
wheel installed into a fresh venv outside it, run from a working directory
that holds a decoy `posture_assistant/` package."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from posture_assistant import __version__

from .conftest import PostureApp, unavailable, wait_for

ROOT = Path(__file__).resolve().parents[2]
DECOY = "open({marker!r}, 'w').write('imported')\nraise SystemExit('the decoy ran')\n"


def _run(*argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=kw.pop("timeout", 600),
                          **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sdist, and the wheel built from that sdist, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    r = _run(sys.executable, "-m", "build", "--outdir", str(out), str(ROOT))
    if r.returncode != 0:
        unavailable(f"python -m build failed (offline?): {r.stderr.strip().splitlines()[-1:]}")
    return out


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> Path:
    """bin/ of a fresh venv with only the wheel (and its dependencies) in it."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", str(venv), check=True)
    (wheel,) = built.glob("*.whl")
    # A PYTHONPATH naming a source tree (where `build` leaves an .egg-info)
    # would make pip think the app is installed already, and skip it. Not
    # -q: the log is read below for what pip built.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = _run(str(venv / "bin" / "python"), "-m", "pip", "install",
             "--disable-pip-version-check", str(wheel), env=clean)
    if r.returncode != 0:
        unavailable(f"pip install of the wheel failed (offline?): {r.stderr[-500:]}")
    (venv / "install.log").write_text(r.stdout + r.stderr)
    return venv / "bin"


def test_installing_compiles_nothing(installed):
    """pipx install on a stock desktop: no compiler, no C headers. pip says
    "Building wheel for" whenever it builds a dependency from source."""
    log = (installed.parent / "install.log").read_text()
    assert "Building wheel for" not in log, log
    r = _run(str(installed / "python"), "-m", "pip", "list", "--format=json",
             "--disable-pip-version-check")
    names = {d["name"].lower() for d in json.loads(r.stdout)}
    assert "jeepney" in names and "dbus-python" not in names


@pytest.fixture
def decoy_cwd(tmp_path) -> tuple[Path, Path]:
    """A working directory whose posture_assistant/ must never be imported."""
    marker = tmp_path / "decoy-imported"
    (tmp_path / "cwd" / "posture_assistant").mkdir(parents=True)
    (tmp_path / "cwd" / "posture_assistant" / "__init__.py").write_text(
        DECOY.format(marker=str(marker)))
    (tmp_path / "cwd" / "posture_assistant" / "__main__.py").write_text("")
    return tmp_path / "cwd", marker


def _source_files() -> set[str]:
    """Every module of the package and every asset, as paths inside the wheel."""
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "posture_assistant").rglob("*.py")}
    assets = {f"posture_assistant/assets/{p.name}" for p in (ROOT / "assets").iterdir()
              if p.is_file()}
    return modules | assets


def test_the_wheel_and_the_sdist_hold_every_module_and_asset(built):
    (wheel,) = built.glob("*.whl")
    (sdist,) = built.glob("*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    missing = _source_files() - in_wheel
    assert not missing, f"left out of the wheel: {sorted(missing)}"
    import tarfile

    top = sdist.name[:-len(".tar.gz")]
    in_sdist = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
    wanted = {p.replace("posture_assistant/assets/", "assets/") for p in _source_files()}
    assert not wanted - in_sdist, f"left out of {top}: {sorted(wanted - in_sdist)}"
    metadata = next(n for n in in_wheel if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in zipfile.ZipFile(wheel).read(metadata).decode()


def test_the_installed_app_runs_from_anywhere(installed, decoy_cwd, tmp_path, desktop):
    cwd, marker = decoy_cwd
    exe = str(installed / "posture-assistant")
    env = dict(desktop.env, POSTURE_DATA_DIR=str(tmp_path / "data"))
    assert _run(exe, "--version", cwd=cwd, env=env).stdout.strip() == \
        f"posture-assistant {__version__}"
    r = _run(exe, "config", cwd=cwd, env=env)
    assert r.returncode == 0 and "break_interval" in r.stdout, r.stderr
    r = _run(exe, "checklist", "--items", "--json", cwd=cwd, env=env)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) >= 20
    assert not marker.exists()


def test_the_installed_app_starts_itself_at_login(installed, decoy_cwd, tmp_path, desktop):
    """`autostart on` from the installed script names that script, and
    GLib runs the entry from anywhere (here with --version added)."""
    gio = shutil.which("gio")
    if not gio:
        unavailable("gio is missing (libglib2.0-bin; scripts/system-packages test)")
    cwd, marker = decoy_cwd
    exe = str(installed / "posture-assistant")
    env = dict(desktop.env, POSTURE_DATA_DIR=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("PYTHONPATH", None)  # the installed package only
    r = _run(exe, "autostart", "on", cwd=cwd, env=env)
    assert r.returncode == 0, r.stderr
    r = _run(exe, "autostart", "--json", cwd=cwd, env=env)
    assert json.loads(r.stdout)["command"] == [exe]
    entry = tmp_path / "config" / "autostart" / "posture-assistant.desktop"
    text = entry.read_text()
    assert f"\nExec={exe}\n" in text
    versioned = tmp_path / "versioned.desktop"
    versioned.write_text(text.replace(f"\nExec={exe}\n", f"\nExec={exe} --version\n"))
    r = _run(gio, "launch", str(versioned), cwd=cwd, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"posture-assistant {__version__}"
    assert not marker.exists()


def test_the_installed_app_on_a_desktop(installed, decoy_cwd, desktop, tmp_path, windows):
    """A real start: the icon, a prompt in dunst, a child window, then quit."""
    cwd, marker = decoy_cwd
    before = len(desktop.notifications())
    app = PostureApp(desktop, tmp_path / "app", {"POSTURE_BREAK_INTERVAL": "3s",
                                                 "POSTURE_REMINDER_INTERVAL": "1h"},
                     first_start=True)
    app.argv = [str(installed / "posture-assistant")]
    app.cwd = cwd
    try:
        _start_prompt_quit(app, desktop, before)
    finally:
        app.stop()
    assert not marker.exists(), "the decoy posture_assistant/ in the working dir was run"
    assert "Traceback" not in app.log(), app.log()


def _checklist_shown(desktop) -> bool:
    return any("Check my workspace" in g[1] for g in desktop.toplevels().values())


def _start_prompt_quit(app: PostureApp, desktop, before: int) -> None:
    app.start()
    desktop.wait_tray_icon()
    assert app.status()["tray"] == "xorg"
    # The first start opens the checklist offer: a child process of the app.
    wait_for(lambda: _checklist_shown(desktop), 20, what="the checklist window")
    app.wait_state("pending")
    wait_for(lambda: "Time to stand up and stretch" in
             [n["summary"] for n in desktop.notifications()[before:]], 10, what="the prompt")
    r = app.cli("quit")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert app.proc.wait(10) == 0
    # The window went with the app.
    wait_for(lambda: not _checklist_shown(desktop), 10, what="the checklist window to close")
