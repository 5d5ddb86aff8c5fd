"""The GNOME idle adapter against a real session bus.

GNOME Shell cannot run here, so a stand-in serves Mutter's IdleMonitor
interface (the one method we call, with a recorded answer) on the test's
real D-Bus session bus; the adapter's D-Bus calls are the real ones.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import wait_for

STAND_IN = """
import dbus, dbus.service, dbus.mainloop.glib
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

class Monitor(dbus.service.Object):
    @dbus.service.method("org.gnome.Mutter.IdleMonitor", out_signature="t")
    def GetIdletime(self):
        return 123456  # milliseconds, as Mutter answers

bus = dbus.SessionBus()
name = dbus.service.BusName("org.gnome.Mutter.IdleMonitor", bus)
Monitor(bus, "/org/gnome/Mutter/IdleMonitor/Core")
print("ready", flush=True)
GLib.MainLoop().run()
"""


def test_the_gnome_adapter_reads_mutters_idle_time(desktop, monkeypatch):
    pytest.importorskip("gi")
    stand_in = subprocess.Popen([sys.executable, "-c", STAND_IN], env=desktop.env,
                                stdout=subprocess.PIPE, text=True)
    try:
        assert stand_in.stdout.readline().strip() == "ready"
        wait_for(lambda: desktop.name_has_owner("org.gnome.Mutter.IdleMonitor"), 10,
                 what="the stand-in on the bus")
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.bus)
        from posture_assistant.adapters.idle import _gnome

        source = _gnome.open()
        assert source.seconds() == 123.456
        # And it is the one chosen on a GNOME Wayland session.
        monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
        monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
        from posture_assistant.adapters.idle import open_source

        assert open_source().name == "GNOME (Mutter IdleMonitor)"
    finally:
        stand_in.terminate()
        stand_in.wait(5)


def test_without_mutter_the_gnome_adapter_says_why(desktop, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.bus)
    from posture_assistant.adapters.idle import _gnome
    from posture_assistant.adapters.idle._base import Unusable

    with pytest.raises(Unusable, match="no GNOME idle monitor"):
        _gnome.open()
