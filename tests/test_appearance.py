"""Light or dark, and the size of things: each appearance backend's reading
of recorded answers (most of their platforms cannot run here), gsettings
through a stand-in command, the order the backends are asked in, and the
theme's colours and the DPI hints that `ui._dpi` reads."""
from __future__ import annotations

import os
import sys
from functools import partial

import pytest

from posture_assistant.adapters import appearance
from posture_assistant.adapters.appearance import _darwin, _gsettings, _portal, _win32
from posture_assistant.adapters.appearance._base import (
    AppearanceSource,
    Unavailable,
    Unusable,
)
from posture_assistant.ui import _dpi, _theme

# ---- each backend's reading, from recorded answers ------------------------------


@pytest.mark.parametrize("value, dark", [(0, None), (1, True), (2, False), (3, None)])
def test_portal_color_scheme_values(value, dark):
    assert _portal.dark_from_portal(value) is dark


@pytest.mark.parametrize("answer", [("u", 1), ("v", ("u", 1))])
def test_portal_value_in_one_variant_or_two(answer):
    """jeepney's variant is (signature, value); the portal's Read answers
    with the value inside a second variant."""
    assert _portal.dark_from_portal(_portal.unwrap(answer)) is True


@pytest.mark.parametrize("scheme, theme, dark", [
    ("'prefer-dark'\n", None, True),
    ("'prefer-light'\n", "'Adwaita-dark'\n", False),  # the explicit choice wins
    ("'default'\n", "'Adwaita-dark'\n", True),  # a dark theme chosen by name
    ("'default'\n", "'Arc-Dark'\n", True),
    ("'default'\n", "'Adwaita'\n", None),
    (None, "'Yaru-dark'\n", True),  # GNOME before 42: no color-scheme key
    (None, None, None),
])
def test_gsettings_answers(scheme, theme, dark):
    assert _gsettings.dark_from_gsettings(scheme, theme) is dark


@pytest.mark.parametrize("value, dark", [(0, True), (1, False), (None, None)])
def test_windows_apps_use_light_theme(value, dark):
    assert _win32.dark_from_registry(value) is dark


@pytest.mark.parametrize("returncode, output, dark", [
    (0, "Dark\n", True),
    # Light mode: the key is absent and `defaults` says so on stderr.
    (1, "", False),
])
def test_macos_apple_interface_style(returncode, output, dark):
    assert _darwin.dark_from_defaults(returncode, output) is dark


# ---- gsettings through a stand-in command ---------------------------------------

FAKE_GSETTINGS = """#!/bin/sh
# gsettings get SCHEMA KEY, answered from files named after the key
if [ -f "{dir}/$3" ]; then cat "{dir}/$3"; exit 0; fi
echo "No such key \\u201c$3\\u201d" >&2; exit 1
"""


@pytest.fixture
def gsettings(tmp_path, monkeypatch):
    """Sets what a stand-in `gsettings` on PATH answers, key by key."""
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "gsettings"
    script.write_text(FAKE_GSETTINGS.format(dir=tmp_path))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")

    def answer(**keys: str) -> None:
        for key, value in keys.items():
            (tmp_path / key.replace("_", "-")).write_text(value + "\n")

    return answer


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for gsettings")
def test_gsettings_reads_the_color_scheme(gsettings):
    gsettings(color_scheme="'prefer-dark'", gtk_theme="'Adwaita'")
    assert _gsettings.open().prefers_dark() is True


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for gsettings")
def test_gsettings_without_the_key_reads_the_theme_name(gsettings):
    gsettings(gtk_theme="'Adwaita-dark'")
    assert _gsettings.open().prefers_dark() is True


def test_no_gsettings_is_a_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Unusable, match="not installed"):
        _gsettings.open()


# ---- which backend answers ----------------------------------------------------


class Recorded(AppearanceSource):
    def __init__(self, name: str, dark: bool | None):
        self.name, self._dark = name, dark

    def prefers_dark(self) -> bool | None:
        return self._dark


@pytest.fixture
def backends(monkeypatch):
    """Makes the Linux backends answer as told, without asking the desktop."""
    monkeypatch.delenv(appearance.ENV, raising=False)
    monkeypatch.setattr(appearance, "_candidates", lambda: ["_portal", "_gsettings"])

    def answer(portal, gsettings) -> None:
        for module, found in ((_portal, portal), (_gsettings, gsettings)):
            monkeypatch.setattr(module, "open", partial(recorded, module.__name__, found))

    return answer


def recorded(name: str, found: bool | None | Exception) -> Recorded:
    if isinstance(found, Exception):
        raise found
    return Recorded(name, found)


def test_the_portal_answers_first(backends):
    backends(portal=True, gsettings=False)
    assert appearance.dark_mode() is True


def test_no_preference_asks_the_next_backend(backends):
    backends(portal=None, gsettings=True)
    assert appearance.dark_mode() is True


def test_no_preference_anywhere_is_light_with_every_reason(backends):
    backends(portal=None, gsettings=Unusable("gsettings is not installed"))
    assert appearance.dark_mode() is False
    found = appearance.open_source()
    assert isinstance(found, Unavailable)
    assert "no preference" in found.reason and "gsettings is not installed" in found.reason


@pytest.mark.parametrize("value, dark", [("dark", True), (" Dark ", True), ("light", False)])
def test_posture_theme_decides_without_asking_the_desktop(backends, monkeypatch, value, dark):
    backends(portal=not dark, gsettings=not dark)
    monkeypatch.setenv(appearance.ENV, value)
    assert appearance.dark_mode() is dark


@pytest.mark.parametrize("value", ["auto", "", "purple"])
def test_other_posture_theme_values_follow_the_desktop(backends, monkeypatch, value):
    backends(portal=True, gsettings=None)
    monkeypatch.setenv(appearance.ENV, value)
    assert appearance.dark_mode() is True


def test_no_session_bus_is_a_reason_not_a_bus_of_our_own(monkeypatch, session_bus):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)  # no systemd user bus either
    with pytest.raises(Unusable, match="no D-Bus session bus"):
        _portal.open()


def test_a_bus_that_is_not_there_is_a_reason(tmp_path, session_bus):
    pytest.importorskip("jeepney")
    session_bus(f"unix:path={tmp_path}/none")
    with pytest.raises(Unusable, match="cannot reach the D-Bus session bus"):
        _portal.open()


@pytest.fixture
def portal(private_bus, session_bus):
    """answer(reply): a stand-in portal on a real private bus, answering
    Settings.Read with `reply` (a (signature, body) or a DBusError)."""
    from tests.dbus_standin import StandIn

    session_bus(private_bus)
    made = []

    def answer(reply):
        made.append(StandIn(private_bus, _portal.BUS_NAME, _portal.PATH,
                            {"Read": lambda namespace, key: reply}))
        return made[-1]

    yield answer
    for stand_in in made:
        stand_in.close()


def test_the_portal_is_read_over_the_bus(portal):
    # As xdg-desktop-portal answers Read: the value in a second variant.
    stand_in = portal(("v", (("v", ("u", 1)),)))
    assert _portal.open().prefers_dark() is True
    assert stand_in.wait_call("Read") == [("org.freedesktop.appearance", "color-scheme")]


def test_a_portal_without_the_key_is_a_reason(portal):
    from posture_assistant.adapters._dbus import DBusError

    portal(DBusError("org.freedesktop.portal.Error.NotFound", "Requested setting not found"))
    with pytest.raises(Unusable, match="does not tell the colour scheme .*NotFound"):
        _portal.open()


def test_no_portal_on_the_bus_is_a_reason(private_bus, session_bus):
    session_bus(private_bus)
    with pytest.raises(Unusable, match="ServiceUnknown"):
        _portal.open()


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_platforms_fall_back_to_light_here(monkeypatch, platform):
    """On the wrong OS the backend cannot read its setting; the windows are
    light, and no exception escapes."""
    monkeypatch.delenv(appearance.ENV, raising=False)
    monkeypatch.setenv("PATH", "")  # no `defaults` either
    monkeypatch.setattr(sys, "platform", platform)
    found = appearance.open_source()
    assert isinstance(found, Unavailable) and found.reason
    assert appearance.dark_mode() is False


# ---- the theme's colours and the DPI hints --------------------------------------


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("palette", [_theme.LIGHT, _theme.DARK], ids=["light", "dark"])
def test_every_text_reads_well_in_both_modes(palette):
    """WCAG AA: 4.5:1 for text, 3:1 for the edge of a control."""
    for text, ground in ((palette.text, palette.background), (palette.dim, palette.background),
                         (palette.text, palette.surface), (palette.text, palette.hover),
                         (palette.on_accent, palette.accent),
                         (palette.on_accent, palette.accent_hover)):
        assert contrast(text, ground) >= 4.5, (text, ground)
    assert contrast(palette.outline, palette.background) >= 3
    assert contrast(palette.accent, palette.background) >= 3  # the focus ring


@pytest.mark.parametrize("resources, dpi", [
    ("Xft.antialias:\t1\nXft.dpi:\t192\nXft.hinting:\t1\n", 192.0),
    ("Xft.dpi: 144", 144.0),
    ("Xcursor.size:\t24\n", None),
    ("Xft.dpi:\tbig\n", None),
    ("", None),
])
def test_xft_dpi_from_the_resource_database(resources, dpi):
    assert _dpi.xft_dpi(resources) == dpi


@pytest.mark.parametrize("scale, dpi", [("2", 192.0), ("1", None), ("", None), (None, None),
                                        ("1.5", None)])
def test_gdk_scale(scale, dpi):
    assert _dpi.gdk_dpi(scale) == dpi
