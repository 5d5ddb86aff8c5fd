"""scripts/venv as a user meets it: a wrong Python, a half-made venv, no network."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# No package index and no local wheels: what an offline laptop sees.
OFFLINE = {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "", "PIP_NO_INDEX": "1"}


def venv_script(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / "venv"), *args], capture_output=True,
                          text=True, timeout=600,
                          env={**os.environ, "VENV": str(tmp_path / "venv"),
                               "PYTHON": sys.executable, **env})


def test_an_old_python_is_one_line_and_exit_2(tmp_path):
    old = tmp_path / "python3"
    old.write_text('#!/bin/sh\n[ "$1" = -V ] && echo "Python 3.9.18" && exit 0\nexit 1\n')
    old.chmod(0o755)
    r = venv_script(tmp_path, PYTHON=str(old))
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert "3.10 or newer" in line and "Python 3.9.18" in line and "PYTHON=" in line
    assert not (tmp_path / "venv").exists()


def test_no_python_is_one_line_and_exit_1(tmp_path):
    r = venv_script(tmp_path, PYTHON=str(tmp_path / "no-such-python"))
    assert r.returncode == 1
    (line,) = r.stderr.strip().splitlines()
    assert "no-such-python" in line and "PYTHON=" in line


def test_offline_first_install_fails_in_one_line(tmp_path):
    r = venv_script(tmp_path, **OFFLINE)
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[-1]
    assert "failed:" in line and "offline" in line and "install.log" in line
    assert "Traceback" not in r.stderr


def test_a_half_made_venv_is_made_again_and_then_starts_offline(tmp_path):
    # What an interrupted first try leaves: a venv without pip.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                   check=True, timeout=120)
    r = venv_script(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "incomplete" in r.stderr and "making it again" in r.stderr
    assert (tmp_path / "venv" / "bin" / "posture-assistant").exists()
    # Installed once: a second run needs no network and installs nothing.
    r = venv_script(tmp_path, **OFFLINE)
    assert r.returncode == 0 and r.stderr == "", r.stderr
