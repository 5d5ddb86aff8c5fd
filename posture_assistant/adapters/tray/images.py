"""The tray icon pictures, one per state (drawn by scripts/make_icons.py)."""
from __future__ import annotations

from functools import cache

from PIL import Image

from posture_assistant.files import asset_path

STATES = ("counting", "pending", "snoozed", "paused")


@cache
def icon_image(state: str, *, opaque: bool = False) -> Image.Image:
    """The 64 px picture for `state`: RGBA with rounded, transparent corners,
    or with `opaque` an RGB square tile for pystray's xorg backend, which
    copies the picture without its alpha channel and so paints every
    transparent pixel black. Cached: treat the result as read-only."""
    if state not in STATES:
        raise ValueError(f"no tray icon for state {state!r}")  # not for users
    with Image.open(asset_path(f"icon-{state}.png")) as png:
        image = png.convert("RGBA")
    if not opaque:
        return image
    # Fill the corners with the tile's own colour: the commonest fully
    # opaque colour, as the tile covers most of the picture.
    _, tile = max((count, colour) for count, colour in image.getcolors(image.width * image.height)
                  if colour[3] == 255)
    background = Image.new("RGBA", image.size, tile)
    return Image.alpha_composite(background, image).convert("RGB")
