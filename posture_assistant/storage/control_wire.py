"""The control channel's wire: multiprocessing.connection's frames (a
4-byte length, then the bytes), its HMAC challenge, and pickled plain data.

Kept as multiprocessing has it so that an app and a client of different
versions understand each other; read here by our own code, so that a
frame's length is checked before anything is read, and only plain data is
unpickled: an arbitrary pickle runs code, and even a plain-looking one of
ten bytes can make the C unpickler allocate gigabytes (its memo is sized
by the index a PUT names).
"""
from __future__ import annotations

import hmac
import pickle
import pickletools
import struct
from typing import Any


CHALLENGE, WELCOME, FAILURE = b"#CHALLENGE#", b"#WELCOME#", b"#FAILURE#"
_DIGESTS = frozenset({b"md5", b"sha256", b"sha384", b"sha3_256", b"sha3_384"})
HANDSHAKE_MAX = 256
# What pickled dicts, lists, tuples, strings, numbers, booleans and None
# are made of: no opcode that finds a class or calls one (GLOBAL, REDUCE,
# BUILD, ...), no bytes, and no protocol-0 text numbers (slow to parse).
_PLAIN = frozenset({
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
    "NONE", "NEWTRUE", "NEWFALSE", "BININT", "BININT1", "BININT2", "LONG1", "LONG4",
    "BINFLOAT", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8",
    "EMPTY_LIST", "APPEND", "APPENDS", "LIST", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2",
    "TUPLE3", "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
    "GET", "BINGET", "LONG_BINGET", "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE",
})
_MEMO_PUT = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})


def frame(payload: bytes) -> bytes:
    return struct.pack("!i", len(payload)) + payload


def dumps(message: Any) -> bytes:
    return pickle.dumps(message, protocol=4)  # every version since 3.4 reads it


def loads(data: bytes) -> Any:
    """Pickled plain data; ValueError for anything else, unpickling nothing."""
    try:
        for op, arg, _pos in pickletools.genops(data):
            if op.name not in _PLAIN:
                raise ValueError(f"{op.name} is not plain data")  # not for users
            # The C unpickler sizes its memo by the index it is given.
            if op.name in _MEMO_PUT and not 0 <= arg <= len(data):
                raise ValueError("memo index out of range")  # not for users
        return pickle.loads(data)
    except ValueError:
        raise
    except Exception as e:  # truncated, unhashable keys, a stack in the wrong shape...
        raise ValueError(f"{type(e).__name__}: {e}") from None  # not for users


def command_of(data: bytes) -> dict:
    """The command in a frame, as the app's loop expects it; ValueError if
    it is not one."""
    request = loads(data)
    if not isinstance(request, dict):
        raise ValueError("not a dict")  # not for users
    cmd, args = request.get("cmd"), request.get("args")
    if not isinstance(cmd, str) or len(cmd) > 64:
        raise ValueError("cmd")  # not for users
    if args is None:
        args = {}
    if not isinstance(args, dict) or len(args) > 16:
        raise ValueError("args")  # not for users
    for name, value in args.items():
        if not isinstance(name, str) or not _scalar(value):
            raise ValueError("args")  # not for users
    return {"cmd": cmd, "args": args}


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= 1024
    return value is None or isinstance(value, (bool, int, float))


def _digest(message: bytes) -> tuple[str, bytes, bool] | None:
    """(digest name, payload, legacy) of a challenge or a response, as
    multiprocessing frames them: Python 3.12 and later prefix `{sha256}`,
    older ones send 20 (challenge) or 16 (response) bytes of HMAC-MD5."""
    if len(message) in (16, 20):
        return "md5", message, True
    end = message.find(b"}", 1, 12)
    if message[:1] == b"{" and end > 0 and message[1:end] in _DIGESTS:
        return message[1:end].decode("ascii"), message[end + 1:], False
    return None


def verify(key: bytes, challenge: bytes, response: bytes) -> bool:
    found = _digest(response)
    if found is None:
        return False
    name, mac, _legacy = found
    try:
        expected = hmac.new(key, challenge, name).digest()
    except ValueError:  # md5 switched off (FIPS)
        return False
    return hmac.compare_digest(expected, mac)


def respond(key: bytes, message: bytes) -> bytes | None:
    """Our answer to a client's challenge frame; None if it is not one."""
    if not message.startswith(CHALLENGE):
        return None
    challenge = message[len(CHALLENGE):]
    found = _digest(challenge)
    if found is None or len(challenge) < 20:
        return None
    name, _payload, legacy = found
    try:
        mac = hmac.new(key, challenge, name).digest()
    except ValueError:
        return None
    return mac if legacy else b"{%s}%s" % (name.encode("ascii"), mac)
