"""Draws the tray and app icons into assets/ (run again to reproduce them).

Each state is a coloured rounded tile with the same white figure on it, a
person stretching, arms up: the tile's colour and a mark beside the figure
carry the state, the figure the app.

    counting  teal        the figure alone
    pending   amber       the figure and a "!"
    snoozed   indigo      the figure and a "z"
    paused    grey        the figure and a pause sign

The figure and the marks are white with a thin dark edge, so they stay
readable on the amber tile and the tile reads on light and dark panels.
The design sits on a 24-unit grid (the usual tray size, 1 unit = 1 px
there). Every size is drawn on its own, 8x larger and then box-filtered
down, and the .ico files get those native frames rather than shrunken
64 px art; at 16 px the edges and limbs are thickened to stay a pixel wide.

    python scripts/make_icons.py [OUTPUT_DIR]     (default: assets/)

Pillow only; the output depends on nothing but this file, so running it
again reproduces the committed files.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SCALE = 8  # supersampling factor
GRID = 24.0  # design units per tile side
STATES = ("counting", "pending", "snoozed", "paused")
COLOURS = {
    "counting": (16, 138, 118),  # teal: all is well
    "pending": (226, 116, 0),  # amber: a break is due
    "snoozed": (76, 88, 196),  # indigo: put off
    "paused": (118, 124, 134),  # grey: not counting
}
EDGE = (22, 26, 32, 255)
WHITE = (255, 255, 255, 255)
TRAY_SIZES = (16, 24, 32, 48, 64)
APP_SIZES = (16, 24, 32, 48, 64, 128, 256)


class Pen:
    """Draws in grid units on a supersampled canvas for an n-px icon."""

    def __init__(self, draw: ImageDraw.ImageDraw, n: int) -> None:
        self.draw = draw
        self.k = n * SCALE / GRID  # canvas px per unit
        px = GRID / n  # one final pixel, in units
        # Keep the dark edge and the thin strokes at least a pixel wide when
        # a unit is less than a pixel (16 px icons).
        self.edge = max(0.8, px)
        self.min_stroke = 1.5 * px

    def xy(self, *pts: tuple[float, float]) -> list[tuple[float, float]]:
        return [(x * self.k, y * self.k) for x, y in pts]

    def stroke(self, pts, width: float, fill, grow: float = 0.0) -> None:
        w = max(width, self.min_stroke) + 2 * grow
        self.draw.line(self.xy(*pts), fill=fill, width=round(w * self.k), joint="curve")
        for x, y in pts:  # round caps
            self.disc((x, y), w / 2, fill)

    def disc(self, centre, r: float, fill) -> None:
        (x, y), = self.xy(centre)
        r *= self.k
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)

    def box(self, x0, y0, x1, y1, radius: float, fill, grow: float = 0.0) -> None:
        (a, b), (c, d) = self.xy((x0 - grow, y0 - grow), (x1 + grow, y1 + grow))
        self.draw.rounded_rectangle((a, b, c - 1, d - 1), round((radius + grow) * self.k), fill=fill)

    def poly(self, pts, fill) -> None:
        self.draw.polygon(self.xy(*pts), fill=fill)


def figure(pen: Pen, cx: float) -> None:
    """A person stretching, arms up in a V, feet apart; centred on cx."""
    limbs = [
        ([(cx - 1.2, 9.8), (cx - 4.9, 3.0)], 2.1),  # arms
        ([(cx + 1.2, 9.8), (cx + 4.9, 3.0)], 2.1),
        ([(cx - 0.9, 15.0), (cx - 3.2, 21.2)], 2.4),  # legs
        ([(cx + 0.9, 15.0), (cx + 3.2, 21.2)], 2.4),
    ]
    for fill, grow in ((EDGE, pen.edge), (WHITE, 0.0)):
        for pts, width in limbs:
            pen.stroke(pts, width, fill, grow)
        pen.box(cx - 2.0, 8.9, cx + 2.0, 16.0, 1.2, fill, grow)  # body
    # The head goes on top with its own edge, which parts it from the raised
    # arms and the shoulders: without that gap the figure blurs into a "Y".
    pen.disc((cx, 4.3), 2.4 + pen.edge, EDGE)
    pen.disc((cx, 4.3), 2.4, WHITE)


def mark(pen: Pen, state: str) -> None:
    """The sign right of the figure that names the state without colour."""
    e = pen.edge
    if state == "pending":  # "!"
        for fill, grow in ((EDGE, e), (WHITE, 0.0)):
            pen.poly([(17.4 - grow, 2.6 - grow), (20.6 + grow, 2.6 - grow),
                      (19.9 + grow, 13.6 + grow), (18.1 - grow, 13.6 + grow)], fill)
            pen.disc((19.0, 17.9), 1.75 + grow, fill)
    elif state == "snoozed":  # "z"
        zig = [(16.6, 4.0), (21.8, 4.0), (16.6, 11.4), (21.8, 11.4)]
        for fill, grow in ((EDGE, e), (WHITE, 0.0)):
            pen.stroke(zig, 2.0, fill, grow)
    elif state == "paused":  # "||"
        for fill, grow in ((EDGE, e), (WHITE, 0.0)):
            for x in (16.6, 19.9):
                pen.box(x, 3.0, x + 2.2, 12.5, 0.5, fill, grow)


def tile(state: str, n: int) -> Image.Image:
    """The icon for `state`, drawn for n x n pixels."""
    s = n * SCALE
    img = Image.new("RGBA", (s, s), COLOURS[state] + (0,))
    draw = ImageDraw.Draw(img)
    pen = Pen(draw, n)
    pen.box(0, 0, GRID, GRID, 4.5, COLOURS[state] + (255,))
    figure(pen, 12.0 if state == "counting" else 9.2)
    if state != "counting":
        mark(pen, state)
    # Box-filter down: an exact average of each SCALE x SCALE block.
    return img.reduce(SCALE)


def save_ico(state: str, sizes: tuple[int, ...], path: Path) -> None:
    frames = [tile(state, n) for n in sizes]
    frames[-1].save(path, sizes=[(n, n) for n in sizes], append_images=frames[:-1])


def main(out: Path = ASSETS) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for state in STATES:
        tile(state, 64).save(out / f"icon-{state}.png", optimize=True)
        save_ico(state, TRAY_SIZES, out / f"icon-{state}.ico")
    tile("counting", 128).save(out / "app.png", optimize=True)
    save_ico("counting", APP_SIZES, out / "app.ico")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ASSETS)
