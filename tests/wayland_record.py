"""Records what our Wayland idle client and a real sway say to each other,
into tests/wayland_recording.py, for the fake compositor of
tests/test_wayland_idle.py to replay. Run by hand (as root or not):

    PYTHONPATH=. .venv/bin/python tests/wayland_record.py

It starts sway (tests/wayland_sway.py), puts a relay between its socket and
our client, and records, in phases: the handshake, `idle` after the
timeout, `resumed` after a key from wtype, and, on a second connection, the
error sway sends for a bind to a global that does not exist.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from posture_assistant.adapters.idle import _wayland
from posture_assistant.adapters.idle._wayland_wire import HEADER, Wire, decode, encode
from tests.wayland_sway import Sway

OUT = Path(__file__).with_name("wayland_recording.py")
TIMEOUT = 1.0

# What each (object, opcode) is, with our client's object ids, to annotate.
NAMES = {
    ("client", 1, 0): ("wl_display.sync", "n"), ("client", 1, 1): ("wl_display.get_registry", "n"),
    ("client", 2, 0): ("wl_registry.bind", "usun"),
    ("client", 5, 0): ("org_kde_kwin_idle.get_idle_timeout", "nou"),
    ("compositor", 1, 0): ("wl_display.error", "ous"),
    ("compositor", 1, 1): ("wl_display.delete_id", "u"),
    ("compositor", 2, 0): ("wl_registry.global", "usu"),
    ("compositor", 3, 0): ("wl_callback.done", "u"),
    ("compositor", 7, 0): ("wl_callback.done", "u"),
    ("compositor", 4, 0): ("wl_seat.capabilities", "u"),
    ("compositor", 6, 0): ("org_kde_kwin_idle_timeout.idle", ""),
    ("compositor", 6, 1): ("org_kde_kwin_idle_timeout.resumed", ""),
}


def describe(who: str, data: bytes) -> list[str]:
    out, at = [], 0
    while at < len(data):
        obj, word = HEADER.unpack_from(data, at)
        size = word >> 16
        name, sig = NAMES.get((who, obj, word & 0xFFFF), (f"{obj}#{word & 0xFFFF}", ""))
        args = decode(sig, data[at + 8:at + size])
        out.append(f"{name}({', '.join(map(repr, args))})")
        at += size
    return out


class Relay:
    def __init__(self, upstream: str, path: str) -> None:
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(path)
        self.listener.listen(1)
        self.upstream = upstream
        self.log: list[tuple[str, str, bytes]] = []  # (phase, who, bytes)
        self.phase = "handshake"
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        server = socket.socket(socket.AF_UNIX)
        server.connect(self.upstream)
        threading.Thread(target=self._pump, args=(client, server, "client"), daemon=True).start()
        self._pump(server, client, "compositor")

    def _pump(self, src: socket.socket, dst: socket.socket, who: str) -> None:
        while True:
            data = src.recv(65536)
            with self.lock:
                self.log.append((self.phase, who, data))
            if not data:
                dst.shutdown(socket.SHUT_WR)
                return
            dst.sendall(data)

    def merged(self, phase: str) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        for p, who, data in self.log:
            if p != phase:
                continue
            if out and out[-1][0] == who:
                out[-1] = (who, out[-1][1] + data)
            else:
                out.append((who, data))
        return out


def record_error(path: str) -> bytes:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    wire = Wire(sock)
    wire.send(encode(1, 1, "n", 2), encode(2, 0, "usun", 9999, "wl_seat", 1, 3),
              encode(1, 0, "n", 4))
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    # Only the error; the globals before it are in the handshake already.
    at = 0
    while at < len(data):
        obj, word = HEADER.unpack_from(data, at)
        if (obj, word & 0xFFFF) == (1, 0):
            return data[at:at + (word >> 16)]
        at += word >> 16
    raise SystemExit("sway sent no error")


def hexlines(data: bytes, indent: str) -> str:
    h = data.hex()
    return "\n".join(f'{indent}"{h[i:i + 96]}"' for i in range(0, len(h), 96))


def main() -> None:
    sway = Sway().start()
    try:
        version = subprocess.run(["sway", "--version"], capture_output=True, text=True).stdout
        relay_path = os.path.join(tempfile.mkdtemp(), "relay")
        relay = Relay(sway.socket, relay_path)
        source = _wayland.open(timeout=TIMEOUT, env={"WAYLAND_DISPLAY": relay_path})
        time.sleep(0.5)
        relay.phase = "idle"
        time.sleep(TIMEOUT + 0.5)
        assert source.seconds() > TIMEOUT, "sway sent no idle"
        relay.phase = "resumed"
        sway.type_key()
        time.sleep(0.5)
        assert source.seconds() == 0.0, "sway sent no resumed"
        error = record_error(sway.socket)
    finally:
        sway.stop()
    lines = [f'"""Recorded by tests/wayland_record.py on {time.strftime("%Y-%m-%d")} between our',
             f"client and a real {version.strip()} (headless; Debian 12's package), with an",
             f"idle timeout of {TIMEOUT:g} s. Do not edit: record again. sway 1.7 offers",
             'org_kde_kwin_idle only; ext-idle-notify-v1 bytes are built in the test."""',
             "", f"TIMEOUT = {TIMEOUT!r}", ""]
    for phase in ("handshake", "idle", "resumed"):
        lines.append(f"{phase.upper()} = [")
        for who, data in relay.merged(phase):
            if not data:
                continue
            lines += [f"    # {who}: " + m for m in describe(who, data)]
            lines.append(f'    ("{who}", bytes.fromhex(\n{hexlines(data, " " * 8)})),')
        lines.append("]")
    lines += ["", "# The error sway sends for wl_registry.bind to a global that does not exist:"]
    lines += ["# " + m for m in describe("compositor", error)]
    lines += [f"ERROR = bytes.fromhex(\n{hexlines(error, '    ')})", ""]
    OUT.write_text("\n".join(lines))
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
