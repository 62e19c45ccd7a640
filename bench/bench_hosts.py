"""Hosts blocking benchmarks: ``python bench/bench_hosts.py`` (about 20 s, one core).

1. apply and clear a block of 1,000 and 10,000 domains on a temporary hosts file
   (target: apply 10,000 < 200 ms), against a plain copy of the same bytes as baseline;
2. glibc lookup of an unblocked name with our section in place vs without it (ratio,
   target < 2x). Needs root and unshare: a private mount namespace binds temporary hosts and
   nsswitch files over /etc (the real ones are never touched); skipped otherwise;
3. suffix lookup (DomainMatcher) against 100,000 domains (target < 5 us).

Never touches the real hosts file: everything runs on files in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

USER_LINES = b"127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.1.2.3 intranet.test\n"


def domains(count: int) -> list[str]:
    return [f"site{i}.example{i % 97}.com" for i in range(count)]


def bench_apply_clear(folder: Path) -> None:
    from deepworkzone.blocking.hosts_blocker import clear_block, write_block
    from deepworkzone.blocking.hosts_io import write_bytes

    print("== apply / clear (median of 7, temp file, DNS flush not included)")
    until = "2030-01-01T00:00:00Z"
    for count in (1_000, 10_000):
        names = domains(count)
        path = folder / f"hosts-{count}"
        applies, clears, baselines = [], [], []
        for _ in range(7):
            path.write_bytes(USER_LINES)
            start = time.perf_counter()
            write_block(path, names, until)
            applies.append(time.perf_counter() - start)
            blocked = path.read_bytes()
            start = time.perf_counter()
            if not clear_block(path):
                raise RuntimeError("nothing cleared")
            clears.append(time.perf_counter() - start)
            if path.read_bytes() != USER_LINES:
                raise RuntimeError("clear did not restore the file")
            # Baseline: the same bytes written and verified with no parsing or rendering.
            start = time.perf_counter()
            write_bytes(path, blocked)
            baselines.append(time.perf_counter() - start)
        apply_ms, clear_ms, base_ms = (
            statistics.median(t) * 1000 for t in (applies, clears, baselines)
        )
        print(
            f"{count:>6} domains ({len(blocked) / 1024:.0f} KiB): apply {apply_ms:6.1f} ms   "
            f"clear {clear_ms:6.1f} ms   baseline write {base_ms:5.1f} ms "
            f"(apply {apply_ms / base_ms:.1f}x)   target apply < 200 ms"
        )


# Runs inside the private namespace: median getaddrinfo time of one name, for each file.
INNER = """
import json, socket, statistics, subprocess, sys, time
files, name = json.loads(sys.argv[1]), sys.argv[2]
samples = {label: [] for label, _ in files}
# Rounds interleave the files, so load from other processes hits every case alike.
for _ in range(11):
    for label, path in files:
        subprocess.run(["mount", "--bind", path, "/etc/hosts"], check=True)
        for _ in range(10):
            socket.getaddrinfo(name, None)
        start = time.perf_counter()
        for _ in range(40):
            socket.getaddrinfo(name, None)
        samples[label].append((time.perf_counter() - start) / 40)
        subprocess.run(["umount", "/etc/hosts"], check=True)
print(json.dumps({label: statistics.median(s) * 1e6 for label, s in samples.items()}))
"""

# A stand-in for the local DNS cache most desktops have (systemd-resolved's stub, dnsmasq):
# answers every A/AAAA query at once from 127.0.0.1:53 inside a private network namespace.
DNS_STUB = """
import socket, struct
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    query, peer = sock.recvfrom(512)
    end = 12
    while query[end]:
        end += query[end] + 1
    qtype = struct.unpack(">H", query[end + 1 : end + 3])[0]
    question = query[12 : end + 5]
    data = bytes([192, 0, 2, 1]) if qtype == 1 else bytes([32, 1, 13, 184, *bytes(11), 1]) if qtype == 28 else b""
    answer = struct.pack(">HHHIH", 0xC00C, qtype, 1, 0, len(data)) + data if data else b""
    head = query[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if data else 0, 0, 0)
    sock.sendto(head + question + answer, peer)
"""


def _namespace(
    folder: Path, setup: str, files: list[tuple[str, str]], name: str, net: bool
) -> dict[str, float] | str:
    script = folder / "inner.py"
    script.write_text(INNER)
    shell = f'{setup} "{sys.executable}" "{script}" "$0" {name}; rc=$?; kill $stub 2>/dev/null; exit $rc'
    argv = ["unshare", "--mount", *(["--net"] if net else []), "--propagation", "private"]
    done = subprocess.run(
        [*argv, "sh", "-c", shell, json.dumps(files)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return f"skipped: {done.stderr.strip()[-200:]}"
    result: dict[str, float] = json.loads(done.stdout)
    return result


def bench_lookup(folder: Path) -> None:
    from deepworkzone.blocking.categories import (
        HOSTS_DOMAIN_CAP,
        available_categories,
        resolve_block,
    )
    from deepworkzone.blocking.hosts_file import decode, with_section

    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("== lookup: skipped (needs root and unshare for a private mount namespace)")
        return
    preset = resolve_block(["social-media", "video"], []).hosts_domains
    every = [c.id for c in available_categories()]
    capped = resolve_block(every, [f"user{i}.example.org" for i in range(HOSTS_DOMAIN_CAP)])
    cases = [("empty section (baseline)", [])]
    cases += [(f"default preset, {len(preset)} domains", preset)]
    cases += [(f"{n} domains", domains(n)) for n in (100, 1_000)]
    cases += [(f"at the cap, {len(capped.hosts_domains)} domains", capped.hosts_domains)]
    files = []
    for i, (label, names) in enumerate(cases):
        path = folder / f"lookup-{i}"
        path.write_bytes(with_section(decode(USER_LINES), names, platform="linux").encode())
        files.append((label, str(path)))
    (folder / "nss-files").write_text("hosts: files\n")
    (folder / "nss-dns").write_text("hosts: files dns\n")
    (folder / "resolv").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    (folder / "stub.py").write_text(DNS_STUB)
    worst = _namespace(
        folder,
        f'mount --bind "{folder}/nss-files" /etc/nsswitch.conf &&',
        files,
        "intranet.test",
        False,
    )
    stub = (
        f'ip link set lo up && mount --bind "{folder}/nss-dns" /etc/nsswitch.conf && '
        f'mount --bind "{folder}/resolv" /etc/resolv.conf && '
        f'{{ "{sys.executable}" "{folder}/stub.py" > "{folder}/stub.out" 2>&1 & }} && stub=$! && '
        "sleep 0.5 &&"
    )
    typical = _namespace(folder, stub, files, "unblocked.example.net", True)
    titles = (
        "lookup, worst case: a name answered by the hosts file itself (hosts: files)",
        "lookup, typical: a name not in the file, answered by a local DNS cache (files dns)",
    )
    for title, results in zip(titles, (worst, typical), strict=True):
        print(f"== {title}")
        if isinstance(results, str):
            print(results)
            continue
        base = results[cases[0][0]]
        for label, micros in results.items():
            print(f"{label:<30} {micros:8.1f} us   ratio {micros / base:5.2f}x   target < 2x")


def bench_suffix() -> None:
    from deepworkzone.domain.hostnames import DomainMatcher

    print("== suffix lookup against 100,000 domains (DomainMatcher)")
    start = time.perf_counter()
    matcher = DomainMatcher(domains(100_000), ["allowed.example.org"])
    build_ms = (time.perf_counter() - start) * 1000
    hosts = ["static.cdn.news.unblocked-site.org", "a.b.site99999.example8.com", "example.net"]
    loops = 100_000
    for host in hosts:
        start = time.perf_counter()
        for _ in range(loops):
            matcher.is_blocked(host)
        per = (time.perf_counter() - start) / loops * 1e6
        start = time.perf_counter()
        for _ in range(loops):
            host.lower()
        floor = (time.perf_counter() - start) / loops * 1e6
        print(
            f"{host:<38} {per:5.2f} us  (baseline str.lower {floor:.2f} us)   "
            f"blocked={matcher.is_blocked(host)}   target < 5 us"
        )
    print(f"build: {build_ms:.0f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dwz-bench-") as tmp:
        folder = Path(tmp)
        # Backups and any state go to the temp folder; no path here is the real hosts file.
        os.environ["DEEPWORKZONE_HOME"] = str(folder / "home")
        os.environ["DEEPWORKZONE_HOSTS_FILE"] = str(folder / "hosts-unused")
        bench_apply_clear(folder)
        bench_lookup(folder)
        bench_suffix()


if __name__ == "__main__":
    main()
