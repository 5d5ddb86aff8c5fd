"""The Wayland idle backend against a real compositor: sway (1.7 on Debian
12, so org_kde_kwin_idle), headless, with real input from a virtual
keyboard (wtype). sway is an optional part of the test stack: where it
cannot run this test skips, even under POSTURE_E2E=required, with the reason.
"""
from __future__ import annotations

import pytest

from posture_assistant.adapters.idle import _wayland
from tests.test_wayland_idle import stopped
from tests.wayland_sway import Sway, SwayUnavailable

from .conftest import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def sway():
    compositor = Sway()
    try:
        compositor.start()
    except SwayUnavailable as e:
        pytest.skip(str(e))
    try:
        yield compositor
    finally:
        compositor.stop()


def test_idle_resumed_and_hang_up_from_sway(sway):
    source = _wayland.open(timeout=1.0, env=sway.env())
    assert source.name.startswith("Wayland (")
    assert source.seconds() == 0.0
    # Nothing touches the seat: sway says idle after the timeout.
    idle = wait_for(source.seconds, 30, what="sway to say idle")
    assert idle >= 1.0
    try:
        sway.type_key()
    except SwayUnavailable as e:
        pytest.skip(f"idle seen for real; resumed not tried: {e}")
    wait_for(lambda: source.seconds() == 0.0, 30, what="sway to say resumed")
    sway.stop()  # the compositor goes: the source says so instead of "active"
    wait_for(lambda: stopped(source), 30, what="the hang-up to be seen")
    with pytest.raises(ConnectionError, match="closed the connection"):
        source.seconds()
