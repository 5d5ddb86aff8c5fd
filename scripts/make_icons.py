"""Draws the tray and app icons into assets/ (run again to reproduce them).

Each state is a coloured rounded tile with a white standing figure: the
tile carries the state, the figure the app. A thin dark edge around tile
and figure keeps both readable on light and dark panels alike.

    python scripts/make_icons.py
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SCALE = 4  # draw large, then downsample: smooth edges at 16-64 px
COLOURS = {
    "counting": (22, 140, 120),  # teal: all is well
    "pending": (230, 126, 14),  # amber: a break is due
    "snoozed": (84, 96, 190),  # indigo: put off
    "paused": (120, 124, 130),  # grey: not counting
}
EDGE = (20, 24, 28, 255)
WHITE = (255, 255, 255, 255)


def figure(draw: ImageDraw.ImageDraw, s: int, arms_up: bool) -> None:
    """A standing person, stretching when `arms_up`; s is the tile size."""
    line = round(s * 0.075)
    cx, head = s * 0.42, s * 0.085
    hy = s * 0.2
    shoulder, hip = (cx, s * 0.38), (cx, s * 0.62)
    hands = [(cx - s * 0.24, s * 0.14), (cx + s * 0.24, s * 0.14)] if arms_up else \
        [(cx - s * 0.17, s * 0.6), (cx + s * 0.17, s * 0.6)]
    limbs = [[(cx, hy + head), hip], [shoulder, hands[0]], [shoulder, hands[1]],
             [hip, (cx - s * 0.13, s * 0.87)], [hip, (cx + s * 0.13, s * 0.87)]]
    for colour, grow in ((EDGE, 2 * SCALE), (WHITE, 0)):
        for limb in limbs:
            draw.line(limb, fill=colour, width=line + grow, joint="curve")
            for x, y in limb:  # round ends
                r = (line + grow) / 2
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        r = head + grow / 2
        draw.ellipse((cx - r, hy - r, cx + r, hy + r), fill=colour)


def badge(draw: ImageDraw.ImageDraw, s: int, state: str) -> None:
    """The corner mark that names the state without relying on colour."""
    x0, y0, r = s * 0.62, s * 0.08, s * 0.17
    if state == "pending":
        draw.ellipse((x0, y0, x0 + 2 * r, y0 + 2 * r), fill=WHITE, outline=EDGE, width=SCALE)
        cx = x0 + r
        draw.line([(cx, y0 + r * 0.45), (cx, y0 + r * 1.15)], fill=COLOURS[state], width=s // 14)
        draw.ellipse((cx - s * 0.03, y0 + r * 1.4, cx + s * 0.03, y0 + r * 1.4 + s * 0.06),
                     fill=COLOURS[state])
    elif state == "snoozed":
        z = [(x0 + r * 0.3, y0 + r * 0.4), (x0 + r * 1.7, y0 + r * 0.4),
             (x0 + r * 0.3, y0 + r * 1.7), (x0 + r * 1.7, y0 + r * 1.7)]
        draw.line(z, fill=EDGE, width=s // 12 + 2 * SCALE, joint="curve")
        draw.line(z, fill=WHITE, width=s // 12, joint="curve")
    elif state == "paused":
        for dx in (0.35, 1.15):
            box = (x0 + r * dx, y0 + r * 0.3, x0 + r * (dx + 0.5), y0 + r * 1.8)
            draw.rectangle(box, fill=WHITE, outline=EDGE, width=SCALE)


def tile(state: str, size: int) -> Image.Image:
    s = size * SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    radius = s // 5
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius, fill=EDGE)
    draw.rounded_rectangle((SCALE * 2, SCALE * 2, s - 1 - SCALE * 2, s - 1 - SCALE * 2),
                           radius - SCALE, fill=COLOURS[state] + (255,))
    figure(draw, s, arms_up=state in ("pending", "counting"))
    badge(draw, s, state)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    for state in COLOURS:
        tile(state, 64).save(ASSETS / f"icon-{state}.png", optimize=True)
        tile(state, 256).save(ASSETS / f"icon-{state}.ico",
                              sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64)])
    tile("counting", 128).save(ASSETS / "app.png", optimize=True)
    tile("counting", 256).save(ASSETS / "app.ico", sizes=[(16, 16), (32, 32), (48, 48), (256, 256)])


if __name__ == "__main__":
    main()
