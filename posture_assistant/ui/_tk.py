"""Starting Tk for our windows: everything they share, in one place.

`open_root()` gives every window the same start: tkinter (or the one
message that says how to get it), our WM class, the app icon, sizes that
follow a high-DPI screen, the light or dark theme, and the keys every window
answers. The tray process imports this too, without loading Tk, so a user
sees the same words wherever it fails.

The theme is our own ttk style on "clam": it draws every part with lines
and fills, so it stays sharp at any DPI, where a theme drawn from bitmaps
(such as sv-ttk) keeps its radio buttons and arrows at 100 %. Windows name
its styles (HEADLINE, DIM, SMALL, PRIMARY) instead of colours, so they read
well in both modes.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

from posture_assistant import APP_ID
from posture_assistant.files import asset_path
from posture_assistant.i18n import N_, _

TK_MISSING = N_("this Python has no tkinter, so no window can open; install it "
                "(Debian/Ubuntu: sudo apt install python3-tk; Fedora: python3-tkinter; "
                "Arch: tk; Homebrew: python-tk)")

# The styles windows use for text that is not plain body text.
HEADLINE = "Headline.TLabel"
DIM = "Dim.TLabel"  # secondary text: a target, today's counts, a hint
SMALL = "Small.TLabel"  # the fine print
PRIMARY = "Primary.TButton"  # the one button Return is expected to press

BASE_DPI = 96.0  # what "100 %" means on every desktop
POINTS_PER_INCH = 72.0


class NoWindow(Exception):
    """str(e) is one line for the user; `code` the exit status to use."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def tk_missing() -> str | None:
    """Why no window can open, found without loading Tk; None if it can.

    Debian ships tkinter apart (python3-tk); other builds lack _tkinter.
    """
    try:
        found = all(importlib.util.find_spec(name) for name in ("tkinter", "_tkinter"))
    except ImportError:
        found = False
    return None if found else _(TK_MISSING)


def open_root(title: str, *, dark: bool = False) -> tuple[Any, Any]:
    """(the tkinter module, a themed Tk root titled `title`), or NoWindow
    saying why not. Escape and the close button destroy the window until the
    window hands `on_close()` a callback of its own."""
    try:
        import tkinter as tk
    except ImportError:
        raise NoWindow(_(TK_MISSING), 1) from None
    _dpi_aware()
    try:
        root = tk.Tk(className=APP_ID)
    except tk.TclError as e:
        raise NoWindow(_("cannot open a window ({e})").format(e=e), 3) from None
    root.title(title)
    root.resizable(False, False)
    _set_icon(tk, root)
    _follow_desktop_dpi(root)
    apply_theme(root, DARK if dark else LIGHT)
    _bind_keys(root)
    on_close(root, root.destroy)
    return tk, root


def on_close(root: Any, close: Callable[[], object]) -> None:
    """Escape and the window manager's close button both go through
    `close`, so a window can ask before it throws answers away."""
    root.protocol("WM_DELETE_WINDOW", close)
    root.bind("<Escape>", lambda e: close())


# ---- start-up pieces -------------------------------------------------------


def _set_icon(tk: Any, root: Any) -> None:
    try:
        icon = tk.PhotoImage(master=root, file=str(asset_path("app.png")))
    except tk.TclError:
        return  # an icon is nice to have; the window works without it
    root.iconphoto(True, icon)  # True: the dialogs it opens get it too
    root._posture_icon = icon  # Tk forgets an image Python no longer holds


# Tcl, as the buttons of Tk's own dialogs have no Python object for a
# callback to use. "break" keeps a window's own Return (the checklist's
# "next page") from firing as well.
PRESS = "event generate %W <<Invoke>>; break"  # not for users


def _bind_keys(root: Any) -> None:
    # ttk buttons answer only Space; people press Return too.
    for widget_class in ("TButton", "TMenubutton"):
        for key in ("<Return>", "<KP_Enter>"):
            root.bind_class(widget_class, key, PRESS)


# ---- high DPI --------------------------------------------------------------

SYSTEM_DPI_AWARE = 1


def _dpi_aware() -> None:
    """On Windows, ask for real pixels before Tk starts; else Windows draws
    the window at 96 DPI and stretches it, blurred, on a 150 % screen.

    System-aware rather than per-monitor: Tk 8.6 sizes everything once, from
    the primary screen, and ignores WM_DPICHANGED, so a per-monitor-aware
    window moved to a screen of another scale would come out too small or
    too big; system-aware lets Windows stretch it there instead.
    """
    if sys.platform != "win32":
        return
    import ctypes

    try:
        ctypes.windll.shcore.SetProcessDpiAwareness(SYSTEM_DPI_AWARE)
    except (AttributeError, OSError):  # before Windows 8.1
        try:
            ctypes.windll.user32.SetProcessDPIAware()
        except (AttributeError, OSError):
            pass


def _follow_desktop_dpi(root: Any) -> None:
    """On X11, Tk guesses the DPI from the screen's size in millimetres,
    which X servers mostly report as 96 DPI; the desktop's scale is in
    Xft.dpi or GDK_SCALE instead. Use it when it asks for more."""
    if root.tk.call("tk", "windowingsystem") != "x11":
        return  # Windows (once DPI-aware) and macOS give Tk the real scale
    wanted = max(filter(None, (xft_dpi(_x_resources()), gdk_dpi(os.environ.get("GDK_SCALE")))),
                 default=None)
    have = root.winfo_fpixels("1i")
    if wanted and wanted > have + 1:
        root.tk.call("tk", "scaling", wanted / POINTS_PER_INCH)
        _grow_pixel_fonts(root, wanted / have)


def xft_dpi(resources: str) -> float | None:
    """Xft.dpi from the text of the X resource database, if set."""
    for line in resources.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() == "Xft.dpi":
            try:
                dpi = float(value.strip())
            except ValueError:
                return None
            return dpi if dpi > 0 else None
    return None


def gdk_dpi(scale: str | None) -> float | None:
    """The DPI GTK apps use for GDK_SCALE (a whole number, 2 for 200 %)."""
    try:
        factor = int(scale or "")
    except ValueError:
        return None
    return BASE_DPI * factor if factor > 1 else None


def _x_resources() -> str:
    """The X server's resource database (RESOURCE_MANAGER), as text.

    Tk loads it but cannot be asked for "Xft.dpi" (its option names start
    with the application's), so it is read through Xlib, which Tk links.
    """
    import ctypes

    try:
        xlib = ctypes.CDLL("libX11.so.6")
    except OSError:
        return ""
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XResourceManagerString.restype = ctypes.c_char_p
    xlib.XResourceManagerString.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = xlib.XOpenDisplay(None)
    if not display:
        return ""
    try:
        text = xlib.XResourceManagerString(display)
    finally:
        xlib.XCloseDisplay(display)
    return text.decode("utf-8", "replace") if text else ""


def _grow_pixel_fonts(root: Any, factor: float) -> None:
    """Tk before 8.6.11 gives its X11 fonts in pixels (negative sizes),
    which `tk scaling` does not reach; grow those by hand."""
    for name in root.tk.splitlist(root.tk.call("font", "names")):
        size = int(root.tk.call("font", "configure", name, "-size"))
        if size < 0:
            root.tk.call("font", "configure", name, "-size", round(size * factor))


# ---- the theme -------------------------------------------------------------


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
