import importlib.util
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from posture_assistant.files import asset_path
from posture_assistant.adapters.tray.images import STATES, icon_image

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_icons.py"


@pytest.mark.parametrize("state", STATES)
def test_every_state_has_a_png_and_an_ico(state):
    with Image.open(asset_path(f"icon-{state}.png")) as png:
        assert png.size == (64, 64) and png.mode == "RGBA"
        assert png.getchannel("A").getextrema() == (0, 255)  # opaque tile, transparent corners
    with Image.open(asset_path(f"icon-{state}.ico")) as ico:
        assert {(16, 16), (32, 32)} <= set(ico.info["sizes"])


def test_app_icons():
    with Image.open(asset_path("app.png")) as png:
        assert png.size == (128, 128) and png.mode == "RGBA"
    with Image.open(asset_path("app.ico")) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])


@pytest.mark.parametrize("state", STATES)
def test_opaque_variant_has_no_black_where_the_png_is_transparent(state):
    rgba = icon_image(state)
    flat = icon_image(state, opaque=True)
    assert rgba.mode == "RGBA" and flat.mode == "RGB" and flat.size == rgba.size
    transparent = [xy for xy in ((x, y) for x in range(64) for y in range(64))
                   if rgba.getpixel(xy)[3] == 0]
    assert transparent  # the rounded corners
    assert all(flat.getpixel(xy) != (0, 0, 0) for xy in transparent), state
    # ...and they take the tile's colour, so the xorg icon is a square tile.
    tile = flat.getpixel((32, 62))  # bottom edge between the feet: tile colour
    assert all(flat.getpixel(xy) == tile for xy in transparent), state


def test_icon_image_is_cached_per_state_and_opacity():
    assert icon_image("pending") is icon_image("pending")
    assert icon_image("pending", opaque=True) is icon_image("pending", opaque=True)
    assert icon_image("pending") is not icon_image("pending", opaque=True)


def test_unknown_state_is_refused():
    with pytest.raises(ValueError):
        icon_image("stopped")


def test_states_are_visibly_different():
    means = {s: ImageStat.Stat(icon_image(s, opaque=True)).mean for s in STATES}
    for a, b in combinations(STATES, 2):
        assert sum(abs(x - y) for x, y in zip(means[a], means[b])) > 40, (a, b)


def test_assets_match_the_script(tmp_path):
    """The committed icons are what scripts/make_icons.py draws now (pixels,
    not bytes: another Pillow's encoder may pack them differently)."""
    spec = importlib.util.spec_from_file_location("make_icons", SCRIPT)
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    make_icons.main(tmp_path)
    names = [f"icon-{s}.{ext}" for s in STATES for ext in ("png", "ico")] + ["app.png", "app.ico"]
    for name in names:
        with Image.open(tmp_path / name) as new, Image.open(asset_path(name)) as old:
            sizes = new.info.get("sizes", {new.size})
            assert sizes == old.info.get("sizes", {old.size}), name
            for size in sorted(sizes):
                if name.endswith(".ico"):
                    new.size = old.size = size
                a, b = new.convert("RGBA"), old.convert("RGBA")
                assert ImageChops.difference(a, b).getbbox() is None, (name, size)
