"""Wayland's wire format, the part an idle monitor needs, in pure Python
(pywayland would need libwayland and a C compiler).

A message is the object id, then one 32-bit word holding the message's
size in bytes (high 16 bits, header included) and its opcode (low 16),
then the arguments, all in the host's byte order: numbers and object ids
as 32-bit words; a string as its length (NUL included) and its bytes,
NUL-terminated and padded to 4 bytes. File descriptors travel beside the
bytes (SCM_RIGHTS); none of the events we ask for carries one, so any that
comes anyway is closed.
"""
from __future__ import annotations

import array
import os
import socket
import struct
from dataclasses import dataclass

WORD = struct.Struct("=I")
INT = struct.Struct("=i")
HEADER = struct.Struct("=II")
MAX_FDS = 28  # libwayland's own limit per message


class ProtocolError(Exception):
    """The bytes from the compositor do not parse as Wayland messages."""


@dataclass(frozen=True)
class Message:
    object: int
    opcode: int
    payload: bytes


def encode(object_id: int, opcode: int, signature: str = "", *args: int | str) -> bytes:
    """One request. `signature` has a letter per argument, as in the
    protocol XML: u uint, i int, o object, n new_id, s string."""
    body = b"".join(_encode_arg(kind, value) for kind, value in zip(signature, args, strict=True))
    size = HEADER.size + len(body)
    return HEADER.pack(object_id, size << 16 | opcode) + body


def _encode_arg(kind: str, value: int | str) -> bytes:
    if kind in "uon":
        return WORD.pack(int(value))
    if kind == "i":
        return INT.pack(int(value))
    if kind == "s":
        data = str(value).encode() + b"\0"
        return WORD.pack(len(data)) + data + b"\0" * (-len(data) % 4)
    raise ValueError(f"argument type {kind!r} is not supported")  # not for users


def decode(signature: str, payload: bytes) -> list[int | str | bytes | None]:
    """The arguments of an event, by the same letters as `encode`, plus
    a for array (bytes). A null string comes back as None."""
    values: list[int | str | bytes | None] = []
    at = 0
    for kind in signature:
        if at + 4 > len(payload):
            raise ProtocolError(f"a message too short for {signature!r}")  # not for users
        if kind in "uon":
            values.append(WORD.unpack_from(payload, at)[0])
            at += 4
        elif kind == "i":
            values.append(INT.unpack_from(payload, at)[0])
            at += 4
        elif kind in "sa":
            length = WORD.unpack_from(payload, at)[0]
            data = payload[at + 4:at + 4 + length]
            if len(data) != length:
                raise ProtocolError("a string runs past its message")  # not for users
            at += 4 + length + (-length % 4)
            if kind == "a":
                values.append(data)
            else:
                values.append(data[:-1].decode(errors="replace") if length else None)
        else:
            raise ValueError(f"argument type {kind!r} is not supported")  # not for users
    return values


class Wire:
    """Messages over a connected Unix stream socket. `read()` blocks until
    at least one whole message is in, and raises EOFError when the
    compositor has closed its end."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""

    def send(self, *messages: bytes) -> None:
        self.sock.sendall(b"".join(messages))

    def read(self) -> list[Message]:
        while True:
            messages = self._take()
            if messages:
                return messages
            data, ancillary, _flags, _addr = self.sock.recvmsg(
                4096, socket.CMSG_SPACE(MAX_FDS * 4))
            _close_fds(ancillary)
            if not data:
                raise EOFError
            self._buffer += data

    def _take(self) -> list[Message]:
        messages = []
        at = 0
        while len(self._buffer) - at >= HEADER.size:
            object_id, word = HEADER.unpack_from(self._buffer, at)
            size = word >> 16
            if size < HEADER.size or size % 4:
                raise ProtocolError(f"a message of {size} bytes")  # not for users
            if len(self._buffer) - at < size:
                break
            messages.append(Message(object_id, word & 0xFFFF,
                                    self._buffer[at + HEADER.size:at + size]))
            at += size
        self._buffer = self._buffer[at:]
        return messages


def _close_fds(ancillary: list[tuple[int, int, bytes]]) -> None:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
            for fd in fds:
                os.close(fd)
