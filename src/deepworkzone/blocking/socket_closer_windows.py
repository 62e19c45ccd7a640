"""Windows: the IPv4 TCP table and SetTcpEntry (IP Helper API), for socket_closer.

``GetTcpTable`` lists every IPv4 connection; ``SetTcpEntry`` with the state
MIB_TCP_STATE_DELETE_TCB (12) resets one. Both need administrator rights for other
programs' connections, so this runs in the helper. IPv6 has no such call.
"""

from __future__ import annotations

import ctypes
import ipaddress
import socket
import struct
from dataclasses import dataclass
from typing import Any

MIB_TCP_STATE_DELETE_TCB = 12
ERROR_INSUFFICIENT_BUFFER = 122


class MibTcpRow(ctypes.Structure):
    _fields_ = [
        ("dwState", ctypes.c_uint32),
        ("dwLocalAddr", ctypes.c_uint32),
        ("dwLocalPort", ctypes.c_uint32),
        ("dwRemoteAddr", ctypes.c_uint32),
        ("dwRemotePort", ctypes.c_uint32),
    ]


@dataclass(frozen=True)
class TcpRow:
    remote: str
    raw: Any  # the MibTcpRow, handed back to SetTcpEntry


def _address(value: int) -> str:
    # dwRemoteAddr is in network byte order as stored in memory.
    return str(ipaddress.ip_address(socket.inet_ntoa(struct.pack("<I", value))))


class IpHelper:  # pragma: no cover - Windows only; tests use a fake with the same methods
    def __init__(self) -> None:
        self.dll = ctypes.WinDLL("iphlpapi")  # type: ignore[attr-defined]

    def tcp_rows(self) -> list[TcpRow]:
        size = ctypes.c_ulong(0)
        self.dll.GetTcpTable(None, ctypes.byref(size), False)
        buffer = ctypes.create_string_buffer(size.value)
        if self.dll.GetTcpTable(buffer, ctypes.byref(size), False) != 0:
            raise OSError("GetTcpTable failed")
        count = ctypes.c_uint32.from_buffer(buffer).value
        rows = (MibTcpRow * count).from_buffer(buffer, ctypes.sizeof(ctypes.c_uint32))
        return [TcpRow(_address(row.dwRemoteAddr), row) for row in rows]

    def delete(self, row: TcpRow) -> None:
        entry = MibTcpRow(
            MIB_TCP_STATE_DELETE_TCB,
            row.raw.dwLocalAddr,
            row.raw.dwLocalPort,
            row.raw.dwRemoteAddr,
            row.raw.dwRemotePort,
        )
        code = self.dll.SetTcpEntry(ctypes.byref(entry))
        if code != 0:
            raise OSError(f"SetTcpEntry failed with code {code}")
