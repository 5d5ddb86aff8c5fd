"""Things a user meets before any feature: imports, the README's promises."""
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

from posture_assistant.storage.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_imports_with_no_display_and_no_bus():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    import posture_assistant

    modules = [m.name for m in pkgutil.walk_packages(posture_assistant.__path__,
                                                     "posture_assistant.")
               if m.name != "posture_assistant.__main__"]  # that one runs the app
    assert "posture_assistant.adapters.idle._x11" in modules and len(modules) > 30
    code = "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]"
    r = subprocess.run([sys.executable, "-c", code, *modules], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_child_processes_run_the_installed_package_not_the_working_directorys(tmp_path):
    from posture_assistant import __version__
    from posture_assistant.cli.run import child_argv

    decoy = tmp_path / "posture_assistant"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy ran')\n")
    r = subprocess.run([*child_argv(), "--version"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"posture-assistant {__version__}"


def test_the_readme_settings_table_lists_every_setting_with_its_env_var():
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| `(POSTURE_\w+)` \|", readme, re.M))
    assert rows == {name: f"POSTURE_{name.upper()}" for name in Settings.model_fields}


def test_the_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1]
    commands = re.findall(r"^(\./scripts/\w+)", quick.split("```bash", 1)[1].split("```")[0], re.M)
    assert commands == ["./scripts/run", "./scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "POSTURE_E2E=required scripts/test" in ci
