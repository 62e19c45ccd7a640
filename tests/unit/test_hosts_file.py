"""Our hosts-file section: in and out without changing one byte of anything else."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepworkzone.blocking import hosts_blocker, hosts_file, hosts_io, privilege
from deepworkzone.blocking.hosts_blocker import (
    HostsBlocker,
    hosts_path,
    remove_section,
    section_status,
)
from deepworkzone.domain.hostnames import InvalidDomain

ORIGINALS = {
    "lf": b"127.0.0.1 localhost\n::1 localhost\n",
    "crlf": b"127.0.0.1 localhost\r\n10.0.0.5 nas.home # my NAS\r\n",
    "utf8-bom-crlf": b"\xef\xbb\xbf# h\xc3\xb4tes\r\n127.0.0.1 localhost\r\n",
    "no-final-newline": b"# comment\n127.0.0.1 localhost\n10.1.1.1 printer",
    "crlf-no-final-newline": b"127.0.0.1 localhost\r\n10.1.1.1 printer",
    "empty": b"",
    "only-bom": b"\xef\xbb\xbf",
    "blank-lines-and-tabs": b"\n\n127.0.0.1\tlocalhost\t\n\n\n",
    "latin1-comment": b"# r\xe9seau local\n192.168.1.2 box\n",
    "utf16-le": "\ufeff127.0.0.1 localhost\r\n# caf\u00e9\r\n".encode("utf-16-le"),
    "ends-with-lone-cr": b"127.0.0.1 localhost\r",
    "utf16-be": "\ufeff127.0.0.1 localhost\n".encode("utf-16-be"),
}


def _apply_remove(raw: bytes, domains: list[str], platform: str = "linux") -> tuple[bytes, bytes]:
    doc = hosts_file.decode(raw)
    applied = hosts_file.with_section(doc, domains, platform=platform, until="2030-01-01T00:00:00Z")
    blocked = applied.encode()
    cleared = hosts_file.with_section(hosts_file.decode(blocked), ()).encode()
    return blocked, cleared


@pytest.mark.parametrize("name", sorted(ORIGINALS))
@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_apply_then_remove_gives_back_the_same_bytes(name: str, platform: str) -> None:
    raw = ORIGINALS[name]
    blocked, cleared = _apply_remove(raw, ["facebook.com", "xn--bcher-kva.de"], platform)
    assert blocked != raw
    assert cleared == raw


@pytest.mark.parametrize("name", sorted(ORIGINALS))
def test_every_byte_before_the_section_is_kept(name: str) -> None:
    raw = ORIGINALS[name]
    blocked, _ = _apply_remove(raw, ["example.com"])
    if name.startswith("utf16"):
        assert blocked.decode("utf-16").startswith(raw.decode("utf-16"))
    else:
        assert blocked.startswith(raw)


def test_section_uses_crlf_in_a_crlf_file_and_lf_in_an_lf_file() -> None:
    crlf, _ = _apply_remove(ORIGINALS["crlf"], ["example.com"])
    section = crlf[len(ORIGINALS["crlf"]) :]
    assert section.count(b"\r\n") == section.count(b"\n") > 3
    lf, _ = _apply_remove(ORIGINALS["lf"], ["example.com"])
    assert b"\r" not in lf


def test_names_written_per_platform() -> None:
    assert " ".join(hosts_file.host_names("a.com", "linux")).split() == [
        "a.com", "a.com.", "www.a.com", "www.a.com.", "m.a.com", "m.a.com.",
    ]  # fmt: skip
    assert hosts_file.host_names("a.com", "win32") == ["a.com", "www.a.com", "m.a.com"]
    text = hosts_file.render_section(["a.com", "b.org"], "\n", platform="win32")
    lines = text.split("\n")
    assert "0.0.0.0 a.com www.a.com m.a.com" in lines
    assert ":: b.org www.b.org m.b.org" in lines
    for platform in ("linux", "darwin", "win32"):
        body = hosts_file.render_section(["a.com"], "\n", platform=platform).split("\n")[1:-1]
        assert all(len(line.split()) - 1 <= 9 for line in body)  # Windows reads 9 names a line


@pytest.mark.parametrize(
    "bad",
    [
        "a.com\n1.2.3.4 bank.com",
        "a.com 1.2.3.4",
        "1.2.3.4",
        "a.com#x",
        "EXAMPLE.COM",
        "-a.com",
        "a..com",
        "com",
    ],
)
def test_render_refuses_anything_but_a_plain_name(bad: str) -> None:
    with pytest.raises(ValueError, match="plain domain"):
        hosts_file.render_section([bad], "\n", platform="linux")


def test_blocker_rejects_injection_with_a_clear_message() -> None:
    with pytest.raises(InvalidDomain, match="spaces or control characters"):
        HostsBlocker(["a.com\n1.2.3.4 bank.com"])
    with pytest.raises(InvalidDomain, match="IP address"):
        HostsBlocker(["10.0.0.1"])
    assert HostsBlocker(["https://WWW.Bücher.DE./"]).domains == ["xn--bcher-kva.de"]


def test_stale_and_duplicate_sections_are_replaced_by_one() -> None:
    raw = ORIGINALS["crlf"]
    doc = hosts_file.decode(raw)
    once = hosts_file.with_section(doc, ["old.com"])
    twice = once.with_text(
        once.text + hosts_file.with_section(doc, ["older.com"]).text[len(doc.text) :]
    )
    fresh = hosts_file.with_section(twice, ["new.com"])
    assert fresh.text.count(hosts_file.BEGIN) == 1
    section = hosts_file.read_section(fresh)
    assert section is not None and section.domains == ["new.com"]
    assert hosts_file.with_section(fresh, ()).encode() == raw


def test_a_section_without_end_marker_is_removed_without_eating_user_lines() -> None:
    damaged = (
        "127.0.0.1 localhost\n"
        + hosts_file.BEGIN
        + "\n0.0.0.0 a.com a.com.\n:: a.com\n10.9.9.9 mine\n"
    )
    cleaned = hosts_file.with_section(hosts_file.HostsText(damaged, "latin-1"), ())
    assert cleaned.text == "127.0.0.1 localhost\n10.9.9.9 mine\n"


def test_user_edits_during_the_session_are_kept(tmp_path: Path) -> None:
    path = hosts_path()
    original = path.read_bytes()
    blocker = HostsBlocker(["example.com"])
    blocker.apply(lambda record: None)
    # The user adds a line before and after our section while the session runs.
    path.write_bytes(b"10.0.0.7 before.lan\n" + path.read_bytes() + b"10.0.0.8 after.lan\n")
    blocker.undo()
    assert path.read_bytes() == b"10.0.0.7 before.lan\n" + original + b"10.0.0.8 after.lan\n"


@settings(max_examples=300, deadline=None)
@given(
    raw=st.binary(max_size=300).filter(lambda b: b"deepworkzone" not in b),
    domains=st.lists(st.from_regex(r"[a-z0-9]{1,10}\.(com|de|co\.uk)", fullmatch=True), max_size=5),
)
def test_any_file_round_trips(raw: bytes, domains: list[str]) -> None:
    _, cleared = _apply_remove(raw, domains)
    assert cleared == raw


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="ab #\r\n\t.", max_size=80))
def test_any_text_file_round_trips_twice(text: str) -> None:
    raw = text.encode()
    doc = hosts_file.decode(raw)
    first = hosts_file.with_section(doc, ["a.com"])
    second = hosts_file.with_section(first, ["b.com"])  # a stale section is replaced
    assert hosts_file.with_section(second, ()).encode() == raw


# --- the Effect on a real file (DEEPWORKZONE_HOSTS_FILE is a temp file in every test) -------


def test_save_is_called_before_the_file_changes() -> None:
    path = hosts_path()
    before = path.read_bytes()
    records: list[dict[str, Any]] = []

    def save(record: dict[str, Any]) -> None:
        assert path.read_bytes() == before
        records.append(record)

    HostsBlocker(["facebook.com", "youtube.com"]).apply(save)
    assert records and records[0]["domains"] == ["facebook.com", "youtube.com"]
    assert section_status() == ["facebook.com", "youtube.com"]


def test_undo_from_record_in_a_new_process_restores_bytes_and_is_idempotent() -> None:
    path = hosts_path()
    path.write_bytes(ORIGINALS["utf8-bom-crlf"])
    records: list[dict[str, Any]] = []
    HostsBlocker(["facebook.com"]).apply(records.append)
    assert b"0.0.0.0 facebook.com" in path.read_bytes()
    again = HostsBlocker.from_record(records[-1])
    again.undo()
    again.undo()
    assert path.read_bytes() == ORIGINALS["utf8-bom-crlf"]
    assert section_status() is None
    assert remove_section() is False


def test_mode_is_kept_and_a_backup_is_made(isolated_home: Path) -> None:
    path = hosts_path()
    os.chmod(path, 0o640)
    original = path.read_bytes()
    HostsBlocker(["example.com"]).apply(lambda record: None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert (isolated_home / "state" / hosts_io.BACKUP_NAME).read_bytes() == original


def test_falls_back_to_writing_in_place_when_replace_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    path = hosts_path()
    inode = path.stat().st_ino

    def busy(src: Any, dst: Any) -> None:
        raise OSError(errno.EBUSY, "Device or resource busy")

    monkeypatch.setattr(os, "replace", busy)
    HostsBlocker(["example.com"]).apply(lambda record: None)
    assert path.stat().st_ino == inode
    assert section_status() == ["example.com"]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_verification_failure_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "read_bytes", lambda self: b"something else")
    with pytest.raises(hosts_io.HostsWriteError, match="did not read back"):
        hosts_io.write_bytes(hosts_path(), b"new content\n")


def test_symlinked_hosts_file_is_replaced_at_its_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "private-hosts"
    real.write_bytes(b"127.0.0.1 localhost\n")
    link = tmp_path / "hosts-link"
    link.symlink_to(real)
    monkeypatch.setenv("DEEPWORKZONE_HOSTS_FILE", str(link))
    HostsBlocker(["example.com"]).apply(lambda record: None)
    assert link.is_symlink()
    assert section_status(real) == ["example.com"]


def test_unwritable_file_goes_through_the_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(privilege, "can_write_directly", lambda path: False)
    monkeypatch.setattr(privilege, "run_helper", lambda args: calls.append(list(args)) or "")
    # With the test override set, the helper cannot help: a clear error, nothing run.
    with pytest.raises(OSError, match="not writable"):
        HostsBlocker(["example.com"]).apply(lambda record: None)
    assert calls == []
    # The OS file (here a temp file passed explicitly; run_helper is replaced) uses the helper.
    monkeypatch.delenv("DEEPWORKZONE_HOSTS_FILE")
    target = Path(os.environ["DEEPWORKZONE_HOME"]) / "hosts"
    target.write_bytes(b"")
    records: list[dict[str, Any]] = []
    HostsBlocker(["example.com"], hosts_path=target).apply(records.append)
    assert records[0]["via_helper"] is True
    assert calls[0][:2] == ["apply", "--until"] and calls[0][3:] == ["example.com"]
    assert target.read_bytes() == b""


def test_damaged_records_and_files_fail_safely() -> None:
    blocker = HostsBlocker.from_record(
        {"path": 5, "until": "never", "domains": ["a.com\n1.2.3.4 x.com", "b.com"]}
    )
    assert blocker.domains == ["b.com"] and blocker.until is None and blocker.path is None
    blocker.undo()  # nothing of ours in the file: no error
    hosts_path().write_bytes(b"\xff\xfe1\x00\x00")  # UTF-16 with an odd byte
    with pytest.raises(OSError, match="damaged UTF-16"):
        section_status()


def test_hosts_path_override() -> None:
    assert hosts_path() == Path(os.environ["DEEPWORKZONE_HOSTS_FILE"])
    assert hosts_blocker.os_hosts_path("linux") == Path("/etc/hosts")
