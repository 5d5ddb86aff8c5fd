"""The GNOME idle adapter against a real session bus.

GNOME Shell cannot run here, so a stand-in serves Mutter's IdleMonitor
interface (the one method we call, with a recorded answer) on the test's
real D-Bus session bus; the adapter's D-Bus calls are the real ones.
"""
from __future__ import annotations

import pytest

from tests.dbus_standin import StandIn

from .conftest import wait_for


@pytest.fixture
def mutter(desktop):
    from posture_assistant.adapters.idle import _gnome

    # Milliseconds, as Mutter answers.
    stand_in = StandIn(desktop.bus, _gnome.BUS_NAME, _gnome.PATH,
                       {"GetIdletime": lambda: ("t", (123456,))})
    yield stand_in
    stand_in.close()
    wait_for(lambda: not desktop.name_has_owner(_gnome.BUS_NAME), 10, what="the stand-in to go")


def test_the_gnome_adapter_reads_mutters_idle_time(desktop, mutter, monkeypatch, session_bus):
    session_bus(desktop.bus)
    from posture_assistant.adapters.idle import _gnome

    source = _gnome.open()
    assert source.seconds() == 123.456
    assert source.seconds() == 123.456  # asked afresh at every wake-up
    assert [m for m, _ in mutter.calls].count("GetIdletime") == 2
    # And it is the one chosen on a GNOME Wayland session.
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    from posture_assistant.adapters.idle import open_source

    assert open_source().name == "GNOME (Mutter IdleMonitor)"


def test_without_mutter_the_gnome_adapter_says_why(desktop, session_bus):
    session_bus(desktop.bus)
    from posture_assistant.adapters.idle import _gnome
    from posture_assistant.adapters.idle._base import Unusable

    with pytest.raises(Unusable, match="no GNOME idle monitor"):
        _gnome.open()
