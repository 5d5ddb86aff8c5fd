"""macOS: IOKit's HIDIdleTime (nanoseconds) from the IOHIDSystem service."""
from __future__ import annotations

from posture_assistant.adapters.idle._base import IdleSource, Unusable
from posture_assistant.i18n import _

K_CF_STRING_ENCODING_UTF8 = 0x08000100
K_CF_NUMBER_SINT64 = 4


class DarwinIdle(IdleSource):
    name = "macOS (IOKit HIDIdleTime)"  # not for users

    def __init__(self) -> None:
        try:
            import ctypes
            import ctypes.util

            iokit = ctypes.cdll.LoadLibrary(ctypes.util.find_library("IOKit"))
            cf = ctypes.cdll.LoadLibrary(ctypes.util.find_library("CoreFoundation"))
        except Exception as e:
            raise Unusable(_("cannot load IOKit ({error})").format(error=e)) from None
        c_void_p = ctypes.c_void_p
        iokit.IOServiceMatching.restype = c_void_p
        iokit.IOServiceGetMatchingService.restype = ctypes.c_uint32
        iokit.IOServiceGetMatchingService.argtypes = [ctypes.c_uint32, c_void_p]
        iokit.IORegistryEntryCreateCFProperty.restype = c_void_p
        iokit.IORegistryEntryCreateCFProperty.argtypes = [
            ctypes.c_uint32, c_void_p, c_void_p, ctypes.c_uint32]
        cf.CFStringCreateWithCString.restype = c_void_p
        cf.CFStringCreateWithCString.argtypes = [c_void_p, ctypes.c_char_p, ctypes.c_uint32]
        cf.CFNumberGetValue.argtypes = [c_void_p, ctypes.c_int, c_void_p]
        cf.CFRelease.argtypes = [c_void_p]
        self._service = iokit.IOServiceGetMatchingService(
            0, iokit.IOServiceMatching(b"IOHIDSystem"))
        if not self._service:
            raise Unusable(_("no IOHIDSystem service"))
        self._key = cf.CFStringCreateWithCString(None, b"HIDIdleTime", K_CF_STRING_ENCODING_UTF8)
        self._iokit, self._cf, self._ctypes = iokit, cf, ctypes

    def seconds(self) -> float:
        ctypes = self._ctypes
        number = self._iokit.IORegistryEntryCreateCFProperty(self._service, self._key, None, 0)
        if not number:
            raise OSError(_("HIDIdleTime is missing"))
        value = ctypes.c_int64()
        try:
            self._cf.CFNumberGetValue(number, K_CF_NUMBER_SINT64, ctypes.byref(value))
        finally:
            self._cf.CFRelease(number)
        return value.value / 1e9  # HIDIdleTime is in nanoseconds


def open() -> DarwinIdle:
    return DarwinIdle()
