"""A real, throw-away sway (headless, no input devices, no XWayland) for
the Wayland idle tests and tests/wayland_record.py.

sway refuses to run as root, and CI runs as root: then it runs as the
`nobody` user, in a runtime directory of its own (mode 0700, owned by it)
outside pytest's root-only tmp. Root may still connect to its socket.
`Sway.start()` raises SwayUnavailable with the reason when it cannot run.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.desktop import terminate

CONFIG = "xwayland disable\noutput HEADLESS-1 resolution 640x480\n"


class SwayUnavailable(Exception):
    pass


class Sway:
    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.runtime: Path | None = None
        self.socket = ""

    def start(self, timeout: float = 30.0) -> "Sway":
        if not shutil.which("sway"):
            raise SwayUnavailable("sway is not installed (apt-get install sway)")
        user: dict = {}
        if os.geteuid() == 0:
            try:
                nobody = pwd.getpwnam("nobody")
            except KeyError:
                raise SwayUnavailable("sway will not run as root, and there is no "
                                      "`nobody` user to run it as") from None
            user = dict(user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
        self.runtime = Path(tempfile.mkdtemp(prefix="posture-sway-"))
        (self.runtime / "config").write_text(CONFIG)
        if user:
            os.chown(self.runtime, user["user"], user["group"])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.runtime),
               "XDG_RUNTIME_DIR": str(self.runtime), "WLR_BACKENDS": "headless",
               "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"}
        self.log = self.runtime / "sway.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(["sway", "-c", str(self.runtime / "config")], env=env,
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, **user)
        end = time.monotonic() + timeout
        while not self.socket:
            found = [p for p in self.runtime.glob("wayland-*") if p.suffix != ".lock"]
            if found and self.proc.poll() is None:
                self.socket = str(found[0])
            elif self.proc.poll() is not None or time.monotonic() > end:
                why = self.tail()
                self.stop()
                raise SwayUnavailable(f"sway did not start: {why}")
            else:
                time.sleep(0.05)
        return self

    def tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return " | ".join(lines[-3:]) or "no output"

    def env(self) -> dict[str, str]:
        """What a client of this sway needs (the socket path is absolute)."""
        return {"WAYLAND_DISPLAY": self.socket, "XDG_RUNTIME_DIR": str(self.runtime)}

    def type_key(self) -> None:
        """Real input: a key press from a virtual keyboard (wtype)."""
        if not shutil.which("wtype"):
            raise SwayUnavailable("wtype is not installed (apt-get install wtype)")
        subprocess.run(["wtype", "x"], env={**os.environ, **self.env()}, check=True,
                       capture_output=True, timeout=20)

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)
        if self.runtime is not None:
            shutil.rmtree(self.runtime, ignore_errors=True)
