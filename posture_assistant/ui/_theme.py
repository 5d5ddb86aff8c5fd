"""Our own ttk style on "clam", light and dark.

Clam draws every part with lines and fills, so it stays sharp at any DPI,
where a theme drawn from bitmaps (such as sv-ttk) keeps its radio buttons
and arrows at 100 %. Windows name its styles (HEADLINE, DIM, SMALL,
PRIMARY) instead of colours, so they read well in both modes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from posture_assistant.ui._dpi import BASE_DPI

# The styles windows use for text that is not plain body text.
HEADLINE = "Headline.TLabel"
DIM = "Dim.TLabel"  # secondary text: a target, today's counts, a hint
SMALL = "Small.TLabel"  # the fine print
PRIMARY = "Primary.TButton"  # the one button Return is expected to press


@dataclass(frozen=True)
class Palette:
    name: str
    background: str
    surface: str  # buttons, fields, the text of a result
    hover: str
    pressed: str
    border: str  # of buttons and fields: a soft line
    outline: str  # of a radio button: 3:1 on `background`, as WCAG asks of a control
    text: str
    dim: str  # at least 4.5:1 on `background`, like `text`
    disabled: str
    accent: str  # focus ring, a chosen radio button, the primary button
    accent_hover: str
    accent_pressed: str
    on_accent: str


LIGHT = Palette("posture-light", background="#f6f7f9", surface="#ffffff", hover="#eceef2",
                pressed="#dfe3e8", border="#c3c8cf", outline="#868e96", text="#1f2328",
                dim="#57606a", disabled="#9aa1a9", accent="#1f62c7", accent_hover="#2a6fd6",
                accent_pressed="#18519f", on_accent="#ffffff")
DARK = Palette("posture-dark", background="#1e1f22", surface="#2b2d31", hover="#35383d",
               pressed="#3f4248", border="#4e525a", outline="#8a9099", text="#e8e9eb",
               dim="#a9aeb6", disabled="#656a72", accent="#2f6bd0", accent_hover="#3572d6",
               accent_pressed="#2a5fb8", on_accent="#ffffff")


def apply_theme(root: Any, palette: Palette) -> None:
    """Make `palette` the look of every widget of `root`, ttk and classic."""
    from tkinter import ttk

    px = _pixels(root)
    _fonts(root)
    _classic_widgets(root, palette, px)
    style = ttk.Style(root)
    if palette.name not in style.theme_names():
        style.theme_create(palette.name, parent="clam")
    style.theme_use(palette.name)
    _base(style, palette, px)
    _buttons(style, palette, px)
    _choices(style, palette, px)
    _labels(style, palette)


def _pixels(root: Any) -> Callable[[float], int]:
    """Pixels for a size given at 100 %, at this screen's scale."""
    scale = root.winfo_fpixels("1i") / BASE_DPI
    return lambda n: max(1, round(n * scale))


def _fonts(root: Any) -> None:
    # In points, so they grow with `tk scaling` on a high-DPI screen.
    family = root.tk.call("font", "actual", "TkDefaultFont", "-family")
    for name, size, weight in (("PostureHeadline", 14, "bold"), ("PostureSmall", 8, "normal")):
        if name not in root.tk.splitlist(root.tk.call("font", "names")):
            root.tk.call("font", "create", name)
        root.tk.call("font", "configure", name, "-family", family, "-size", size,
                     "-weight", weight)


def _classic_widgets(root: Any, p: Palette, px: Callable[[float], int]) -> None:
    """Menus, the result's text and the dialogs are classic Tk widgets,
    which take their colours from the option database, not from ttk."""
    root.tk_setPalette(background=p.background, foreground=p.text,
                       activeBackground=p.accent, activeForeground=p.on_accent,
                       selectBackground=p.accent, selectForeground=p.on_accent,
                       highlightColor=p.accent, highlightBackground=p.background,
                       insertBackground=p.text, troughColor=p.surface,
                       disabledForeground=p.disabled)
    for option, value in (("*Menu.background", p.surface), ("*Menu.relief", "raised"),
                          ("*Menu.borderWidth", px(1)), ("*Menu.activeBorderWidth", 0),
                          ("*Text.background", p.surface), ("*Text.relief", "flat"),
                          ("*Text.borderWidth", 0), ("*Text.highlightThickness", 1),
                          ("*Text.highlightBackground", p.border),
                          ("*Text.highlightColor", p.border),
                          ("*Text.padX", px(10)), ("*Text.padY", px(8))):
        root.option_add(option, value)


def _base(style: Any, p: Palette, px: Callable[[float], int]) -> None:
    style.configure(".", background=p.background, foreground=p.text, bordercolor=p.border,
                    lightcolor=p.surface, darkcolor=p.surface, troughcolor=p.surface,
                    fieldbackground=p.surface, selectbackground=p.accent,
                    selectforeground=p.on_accent, insertcolor=p.text, arrowcolor=p.text,
                    focuscolor=p.accent, font="TkDefaultFont")
    style.map(".", foreground=[("disabled", p.disabled)])
    style.configure("TFrame", background=p.background)


# clam's layouts without their focus element, a dotted line inside the
# button: here focus colours the border instead, two lines thick.
BUTTON_LAYOUT = [("Button.border", {"sticky": "nswe", "border": "1", "children": [
    ("Button.padding", {"sticky": "nswe", "children": [("Button.label", {"sticky": "nswe"})]})]})]
MENUBUTTON_LAYOUT = [("Menubutton.border", {"sticky": "nswe", "children": [
    ("Menubutton.indicator", {"side": "right", "sticky": ""}),
    ("Menubutton.padding", {"sticky": "we", "children": [
        ("Menubutton.label", {"side": "left", "sticky": ""})]})]})]


def _buttons(style: Any, p: Palette, px: Callable[[float], int]) -> None:
    style.layout("TButton", BUTTON_LAYOUT)
    style.layout("TMenubutton", MENUBUTTON_LAYOUT)
    for name in ("TButton", "TMenubutton"):
        # "raised" with light and dark lines in the fill's colour: clam's
        # bevel gone, one border line left.
        style.configure(name, background=p.surface, padding=(px(12), px(5)),
                        relief="raised", borderwidth=1, anchor="center")
        style.map(name, background=[("disabled", p.background), ("pressed", p.pressed),
                                    ("active", p.hover)],
                  bordercolor=[("focus", p.accent)], lightcolor=[("focus", p.accent)],
                  darkcolor=[("focus", p.accent)])
    style.configure("TMenubutton", arrowsize=px(5), arrowpadding=px(6), padding=(px(10), px(5)))
    style.configure(PRIMARY, background=p.accent, foreground=p.on_accent,
                    bordercolor=p.accent, lightcolor=p.accent, darkcolor=p.accent)
    style.map(PRIMARY, background=[("disabled", p.background), ("pressed", p.accent_pressed),
                                   ("active", p.accent_hover)],
              foreground=[("disabled", p.disabled)],
              bordercolor=[("focus", p.text)], lightcolor=[("focus", p.on_accent)],
              darkcolor=[("focus", p.on_accent)])


def _choices(style: Any, p: Palette, px: Callable[[float], int]) -> None:
    # The dot (indicatorforeground) shows only when chosen.
    style.configure("TRadiobutton", background=p.background, indicatorsize=px(15),
                    indicatormargin=(0, 0, px(6), 0), indicatorbackground=p.surface,
                    indicatorforeground=p.accent, upperbordercolor=p.outline,
                    lowerbordercolor=p.outline, focuscolor=p.text, padding=px(2))
    style.map("TRadiobutton", indicatorbackground=[("active", p.hover)],
              upperbordercolor=[("selected", p.accent), ("focus", p.accent)],
              lowerbordercolor=[("selected", p.accent), ("focus", p.accent)],
              background=[("active", p.background)])
    style.configure("TSpinbox", arrowsize=px(12), padding=(px(6), px(3)),
                    background=p.surface, arrowcolor=p.text)
    style.map("TSpinbox", bordercolor=[("focus", p.accent)],
              lightcolor=[("focus", p.accent)], darkcolor=[("focus", p.accent)],
              background=[("pressed", p.pressed), ("active", p.hover)])


def _labels(style: Any, p: Palette) -> None:
    style.configure("TLabel", background=p.background, foreground=p.text)
    style.configure(HEADLINE, font="PostureHeadline")
    style.configure(DIM, foreground=p.dim)
    style.configure(SMALL, foreground=p.dim, font="PostureSmall")
