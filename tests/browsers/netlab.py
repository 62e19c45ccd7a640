"""A private internet for real browsers: run inside ``unshare --net --mount`` as root.

- ``/etc`` gets an overlay whose upper layer is a temporary folder, so the hosts file, the
  resolver config and the browsers' policy folders are real paths (renames, inotify, the
  helper's fixed locations) that never reach the machine's own /etc;
- site addresses (10.99.0.x) on the namespace's loopback device, one HTTP server each;
- a DNS server (UDP, 10.99.0.53) for every site name, and a DNS-over-HTTPS server (10.99.0.54,
  its own CA) that answers the same names and ignores the hosts file, as a real one would.
"""

from __future__ import annotations

import base64
import http.server
import os
import socket
import socketserver
import ssl
import struct
import subprocess
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

DNS_IP = "10.99.0.53"
DOH_IP = "10.99.0.54"
DOH_NAME = "doh.lab.test"


def setup_namespace(work: Path, addresses: list[str]) -> None:
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    upper, scratch = work / "etc-upper", work / "etc-work"
    upper.mkdir()
    scratch.mkdir()
    subprocess.run(
        [
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            f"lowerdir=/etc,upperdir={upper},workdir={scratch}",
            "/etc",
        ],
        check=True,
    )
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for address in [*addresses, DNS_IP, DOH_IP]:
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
    Path("/etc/resolv.conf").unlink(missing_ok=True)
    Path("/etc/resolv.conf").write_text(f"nameserver {DNS_IP}\noptions timeout:1 attempts:1\n")
    Path("/etc/hosts").write_text("127.0.0.1\tlocalhost\n::1\tlocalhost\n")
    Path("/etc/nsswitch.conf").write_text("hosts: files dns\n")


# -- DNS ------------------------------------------------------------------------------------


def dns_answer(query: bytes, records: dict[str, str]) -> bytes:
    """A response to one query: A records from ``records``, NXDOMAIN for unknown names, an
    empty answer for other types (AAAA) of known names."""
    ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
    pos, labels = 12, []
    while query[pos]:
        length = query[pos]
        labels.append(query[pos + 1 : pos + 1 + length].decode("ascii").lower())
        pos += 1 + length
    qtype = struct.unpack("!H", query[pos + 1 : pos + 3])[0]
    question = query[12 : pos + 5]
    name = ".".join(labels)
    address = records.get(name)
    if address is None:
        return struct.pack("!HHHHHH", ident, 0x8183, 1, 0, 0, 0) + question
    if qtype != 1:
        return struct.pack("!HHHHHH", ident, 0x8180, 1, 0, 0, 0) + question
    answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(address)
    return struct.pack("!HHHHHH", ident, 0x8180, qdcount, 1, 0, 0) + question + answer


class DnsServer(threading.Thread):
    def __init__(self, records: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.records = records
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((DNS_IP, 53))

    def run(self) -> None:
        while True:
            data, peer = self.sock.recvfrom(4096)
            try:
                self.sock.sendto(dns_answer(data, self.records), peer)
            except Exception:
                continue


def make_ca(work: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, doh cert, doh key) made with openssl."""
    ca_key, ca, key, csr, cert = (
        work / n for n in ("ca.key", "ca.pem", "doh.key", "doh.csr", "doh.pem")
    )
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, timeout=60)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key),
        "-out", str(ca), "-days", "2", "-subj", "/CN=DWZ lab CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign,cRLSign")  # fmt: skip
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", f"/CN={DOH_NAME}")  # fmt: skip
    ext = work / "ext.cnf"
    ext.write_text(f"subjectAltName=DNS:{DOH_NAME},IP:{DOH_IP}\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(ext))  # fmt: skip
    return ca, cert, key


class _DohHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    records: ClassVar[dict[str, str]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, query: bytes) -> None:
        body = dns_answer(query, self.records)
        self.send_response(200)
        self.send_header("Content-Type", "application/dns-message")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        value = parse_qs(urlsplit(self.path).query).get("dns", [""])[0]
        self._answer(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._answer(self.rfile.read(length))


class _Threading(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_doh(records: dict[str, str], cert: Path, key: Path) -> _Threading:
    handler = type("Doh", (_DohHandler,), {"records": records})
    server = _Threading((DOH_IP, 443), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# -- the sites ------------------------------------------------------------------------------


MARK = "SITE-OK"


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the browser keeps its connection open

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").partition(":")[0]
        body = f"<html><body><p>{MARK} {host}</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_site(address: str) -> _Threading:
    server = _Threading((address, 80), _SiteHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def env_for_gnome(work: Path) -> dict[str, str]:
    """The environment that makes the app and the browsers share one GNOME proxy setting
    (a private GSettings keyfile)."""
    config = work / "xdg-config"
    config.mkdir(exist_ok=True)
    return {
        "GSETTINGS_BACKEND": "keyfile",
        "XDG_CONFIG_HOME": str(config),
        "XDG_CURRENT_DESKTOP": "GNOME",
        "DESKTOP_SESSION": "gnome",
        "DEEPWORKZONE_SYSTEM_PROXY": "gnome",
        "HOME": str(work / "home"),
        "NO_PROXY": "",
        "no_proxy": "",
    } | {k: v for k, v in os.environ.items() if k in ("PATH", "LANG")}
