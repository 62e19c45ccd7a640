"""A private D-Bus session bus (a real dbus-daemon) for tests: never the user's own bus."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def private_session_bus(folder: Path) -> Iterator[tuple[str, Path]]:
    """(the bus's address, the folder of its activatable services); skips the test where
    dbus-daemon is missing (Debian: dbus-daemon)."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon needed (Debian: dbus-daemon)")
    services = folder / "dbus-services"
    services.mkdir(exist_ok=True)
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=folder / "bus", services=services))
    proc = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        assert address.startswith("unix:"), address
        yield address, services
    finally:
        proc.terminate()
        proc.wait(timeout=10)
