"""Windows as large as the desktop's scale asks: Windows DPI awareness, and
on X11 the scale in Xft.dpi or GDK_SCALE when Tk guessed lower."""
from __future__ import annotations

import os
import sys
from typing import Any

BASE_DPI = 96.0  # what "100 %" means on every desktop
POINTS_PER_INCH = 72.0

SYSTEM_DPI_AWARE = 1


def dpi_aware() -> None:
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


def follow_desktop_dpi(root: Any) -> None:
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
