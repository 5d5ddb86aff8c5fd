from PIL import Image, ImageStat

from posture_assistant.resources import asset_path
from posture_assistant.tray.images import STATES, icon_image


def test_every_state_has_a_png_and_an_ico():
    for state in STATES:
        png = Image.open(asset_path(f"icon-{state}.png"))
        assert png.size == (64, 64) and png.mode == "RGBA"
        assert png.getchannel("A").getextrema()[0] == 0  # rounded, transparent corners
        ico = Image.open(asset_path(f"icon-{state}.ico"))
        assert {(16, 16), (32, 32)} <= set(ico.info["sizes"])


def test_opaque_variant_has_no_black_where_the_png_is_transparent():
    for state in STATES:
        rgba = icon_image(state)
        flat = icon_image(state, opaque=True)
        assert flat.mode == "RGB"
        alpha = rgba.getchannel("A")
        for x, y in [(0, 0), (63, 0), (0, 63), (63, 63)]:
            assert alpha.getpixel((x, y)) == 0
            assert max(flat.getpixel((x, y))) > 60, state


def test_states_are_visibly_different():
    means = {s: ImageStat.Stat(icon_image(s, opaque=True)).mean for s in STATES}
    for a in STATES:
        for b in STATES:
            if a < b:
                assert sum(abs(x - y) for x, y in zip(means[a], means[b])) > 40, (a, b)
