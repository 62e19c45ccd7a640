"""Setting up the machine once: the hosts-file helper and its polkit policy, in, checked, out.

For the CLI (`deepworkzone setup`) and, later, the app's settings page and first-run screen:
``plan_setup`` says in plain words what will be installed and how the password is asked for;
``run_setup`` / ``remove_setup`` do it with one administrator prompt (pkexec, else sudo) and
return what changed and the checks; ``verify_setup`` only looks. Nothing here prints.

The administrator step is engine/setup_apply.py, run with the system interpreter under
``-I -S`` from a private staging folder (see there). ``root`` puts everything under another
folder (tests, package builds); the files' own contents always name the real paths.

Linux is supported and tested. macOS (the same layout under /usr/local, the administrator
prompt) is written but untested; Windows setup is not automated (docs/install.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from deepworkzone.blocking import hosts_file, hosts_io, privilege
from deepworkzone.blocking.hosts_blocker import os_hosts_path
from deepworkzone.engine import helper_payload, setup_apply
from deepworkzone.engine.helper_payload import PayloadError, PayloadFile

SYSTEM_ROOT = Path("/")
STATE_DIR = "/var/lib/deepworkzone"


@dataclass(frozen=True)
class PlannedFile:
    path: str  # where it goes (the real path, also when ``root`` is another folder)
    mode: int
    what: str  # in plain words


@dataclass(frozen=True)
class SetupPlan:
    platform: str
    supported: bool
    state: str  # "not installed", "installed", "outdated", "installed by a package"
    elevation: str | None  # "pkexec", "sudo", "osascript", "none (already administrator)"
    explanation: str  # what will happen and why, for the prompt before it
    files: list[PlannedFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why it cannot go ahead


@dataclass(frozen=True)
class SetupCheck:
    name: str
    ok: bool
    detail: str
    required: bool = True  # False: a warning (sudo only, no polkit daemon seen)


@dataclass(frozen=True)
class SetupResult:
    ok: bool
    action: str  # "install", "remove", "verify"
    message: str
    changed: list[str] = field(default_factory=list)
    checks: list[SetupCheck] = field(default_factory=list)


class SetupError(Exception):
    """Setup could not run (nothing was changed, or the change was rolled back)."""


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _at(root: Path, absolute: str) -> Path:
    return root / absolute.lstrip("/")


def _what(path: str) -> str:
    if path.endswith(".policy"):
        return "polkit policy: lets the helper ask for your password once and remember it"
    if path.endswith(helper_payload.MANIFEST):
        return "list of the installed files (used to remove them)"
    if path.endswith(privilege.HELPER_NAME):
        return "the helper: writes only Deep Work Zone's section of the hosts file"
    return "the helper's own copy of the code it runs"


def _elevation(root: Path, platform: str) -> str | None:
    if _is_root() or (root != SYSTEM_ROOT and os.access(root, os.W_OK)):
        return "none (already administrator)"
    if platform == "darwin":
        return "osascript"
    if shutil.which("pkexec"):
        return "pkexec"
    if shutil.which("sudo"):
        return "sudo"
    return None


def _package_owner(path: str, root: Path) -> str | None:
    if root != SYSTEM_ROOT or not shutil.which("dpkg-query"):
        return None
    done = subprocess.run(
        ["dpkg-query", "-S", path], capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        return None
    return done.stdout.split(":", 1)[0].strip() or None


def _interpreter_problem(interpreter: str = helper_payload.INTERPRETER) -> str | None:
    if not Path(interpreter).exists():
        return f"{interpreter} is missing; install Python 3.11 or newer (apt install python3)"
    try:
        done = subprocess.run(
            [interpreter, "-I", "-S", "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        version = tuple(int(x) for x in done.stdout.split())
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return f"{interpreter} does not run: {exc}"
    if version < helper_payload.MIN_PYTHON:
        need = ".".join(map(str, helper_payload.MIN_PYTHON))
        return f"{interpreter} is Python {'.'.join(map(str, version))}; the helper needs {need} or newer"
    return None


def _installed_state(payload: list[PayloadFile], root: Path) -> str:
    present = [_at(root, f.path).is_file() for f in payload]
    if not any(present):
        return "not installed"
    for item in payload:
        target = _at(root, item.path)
        if not target.is_file() or target.read_bytes() != item.data:
            return "outdated"
    return "installed"


def plan_setup(root: Path = SYSTEM_ROOT, platform: str = sys.platform) -> SetupPlan:
    """What setup would do here; changes nothing."""
    if platform == "win32":
        return SetupPlan(
            platform, False, "not installed", None,
            "Setting up Windows is not automated yet: see docs/install.md (untested).",
            problems=["Windows setup is manual (docs/install.md)"],
        )  # fmt: skip
    problems = []
    try:
        payload = helper_payload.build_payload(platform)
    except (PayloadError, OSError) as exc:
        payload, problems = [], [str(exc)]
    interpreter = _interpreter_problem()
    if interpreter:
        problems.append(interpreter)
    where = helper_payload.layout(platform)
    owner = _package_owner(where.helper, root)
    state = "installed by a package" if owner else _installed_state(payload, root)
    elevation = _elevation(root, platform)
    if elevation is None:
        problems.append("neither pkexec (polkit) nor sudo is installed to ask for the password")
    files = [PlannedFile(f.path, f.mode, _what(f.path)) for f in payload]
    helper_files = sum(1 for f in files if "code it runs" in f.what)
    explanation = (
        "Deep Work Zone blocks websites through your computer's hosts file, which only an "
        "administrator may change. Setup installs a small helper that can do exactly that "
        "and nothing else: it adds or removes Deep Work Zone's own marked section, and "
        "refuses anything that is not a plain website name. It is copied to "
        f"{where.helper} with its own copy of the code it needs ({helper_files} files in "
        f"{where.lib}), owned by the administrator so no program can change it later"
        + (
            f", and a polkit policy in {where.policy} so a session asks for your password once"
            if where.policy
            else ""
        )
        + ". "
        + {
            "pkexec": "You will be asked for an administrator password once, now.",
            "sudo": "sudo will ask for your password once, now.",
            "osascript": "macOS will ask for an administrator password once, now.",
        }.get(elevation or "", "")
    ).strip()
    if owner:
        explanation = f"The helper was installed by the {owner} package; setup only checks it."
    return SetupPlan(platform, True, state, elevation, explanation, files, problems)


def _staged(payload: list[PayloadFile]) -> tempfile.TemporaryDirectory[str]:
    stage = tempfile.TemporaryDirectory(prefix="deepworkzone-setup-")
    helper_payload.write_tree(payload, Path(stage.name) / "tree")
    shutil.copyfile(_apply_script(), Path(stage.name) / "setup_apply.py")
    return stage


def _apply_script() -> Path:
    source = Path(setup_apply.__file__)
    if source.suffix == ".py" and source.is_file():
        return source
    bundled = Path(getattr(sys, "_MEIPASS", "")) / helper_payload.BUNDLED_TREE / "setup_apply.py"
    if bundled.is_file():
        return bundled
    raise SetupError("setup_apply.py is missing from this installation")


def _manifest_path(platform: str) -> str:
    return f"{helper_payload.layout(platform).lib}/{helper_payload.MANIFEST}"


def _as_admin(argv_tail: list[str], elevation: str | None, root: Path) -> list[str]:
    """Runs setup_apply in this process when already root, else through one prompt."""
    if elevation == "none (already administrator)":
        command = argv_tail[0]
        if command == "install":
            return setup_apply.install(Path(argv_tail[1]), root, argv_tail[3])
        return setup_apply.remove(root, argv_tail[2])
    script = argv_tail.pop()  # the staged setup_apply.py
    argv = [helper_payload.INTERPRETER, "-I", "-S", script, *argv_tail]
    if elevation == "pkexec":
        argv = ["pkexec", *argv]
    elif elevation == "sudo":
        argv = ["sudo", *argv]
    elif elevation == "osascript":  # untested
        argv = privilege.elevated_command(argv[1:], "darwin", helper=argv[0])
    else:
        raise SetupError("no way to ask for an administrator password here")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SetupError(f"could not run {argv[0]}: {exc}") from exc
    if done.returncode in (126, 127) and argv[0] == "pkexec":
        raise SetupError("administrator authorisation was refused or cancelled; nothing changed")
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise SetupError(f"setup failed: {reason}")
    try:
        return list(json.loads(done.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return []


def run_setup(root: Path = SYSTEM_ROOT, platform: str = sys.platform) -> SetupResult:
    """Install (or update) the helper and its policy with one prompt, then check them."""
    plan = plan_setup(root, platform)
    if not plan.supported or plan.problems:
        return SetupResult(False, "install", "; ".join(plan.problems) or plan.explanation)
    if plan.state in ("installed", "installed by a package"):
        checks = verify_setup(root, platform)
        ok = all(c.ok for c in checks if c.required)
        return SetupResult(
            ok, "install", f"already set up ({plan.state}); nothing changed", [], checks
        )
    payload = helper_payload.build_payload(platform)
    with _staged(payload) as stage:
        tree = str(Path(stage) / "tree")
        script = str(Path(stage) / "setup_apply.py")
        changed = _as_admin(
            ["install", tree, str(root), _manifest_path(platform), script], plan.elevation, root
        )
    checks = verify_setup(root, platform)
    ok = all(c.ok for c in checks if c.required)
    message = (
        "set up: the helper and its policy are installed" if ok else "installed, but a check failed"
    )
    return SetupResult(ok, "install", message, changed, checks)


def remove_setup(root: Path = SYSTEM_ROOT, platform: str = sys.platform) -> SetupResult:
    """Remove exactly what setup installed (its manifest), with one prompt."""
    where = helper_payload.layout(platform)
    owner = _package_owner(where.helper, root)
    if owner:
        return SetupResult(
            False,
            "remove",
            f"the helper belongs to the {owner} package; remove that package instead (apt remove {owner})",
        )
    if not _at(root, _manifest_path(platform)).is_file():
        return SetupResult(
            True, "remove", "nothing to remove: setup has not installed anything here"
        )
    if root == SYSTEM_ROOT and _block_active():
        return SetupResult(
            False,
            "remove",
            "a website block is in the hosts file; end it first (deepworkzone unblock)",
        )
    elevation = _elevation(root, platform)
    if elevation is None:
        return SetupResult(
            False, "remove", "neither pkexec (polkit) nor sudo is installed to ask for the password"
        )
    with tempfile.TemporaryDirectory(prefix="deepworkzone-setup-") as stage:
        script = Path(stage) / "setup_apply.py"
        shutil.copyfile(_apply_script(), script)
        changed = _as_admin(
            ["remove", str(root), _manifest_path(platform), str(script)], elevation, root
        )
    left = [f.path for f in plan_setup(root, platform).files if _at(root, f.path).exists()]
    if left:
        return SetupResult(
            False, "remove", f"{len(left)} files are still there: {', '.join(left[:3])}", changed
        )
    return SetupResult(True, "remove", f"removed {len(changed)} files", changed)


def _block_active() -> bool:
    try:
        return hosts_file.has_section(hosts_file.decode(hosts_io.read_bytes(os_hosts_path())))
    except OSError:
        return False


def verify_setup(root: Path = SYSTEM_ROOT, platform: str = sys.platform) -> list[SetupCheck]:
    """Each installed part, checked: files as built, root's alone, the helper runs, the policy."""
    checks = []
    where = helper_payload.layout(platform)
    try:
        payload = helper_payload.build_payload(platform)
    except (PayloadError, OSError) as exc:
        return [SetupCheck("payload", False, str(exc))]
    wrong = []
    for item in payload:
        target = _at(root, item.path)
        if not target.is_file():
            wrong.append(f"{item.path} is missing")
        elif target.read_bytes() != item.data:
            wrong.append(f"{item.path} differs from this version")
        elif (target.stat().st_mode & 0o7777) != item.mode:
            wrong.append(f"{item.path} has mode {target.stat().st_mode & 0o7777:o}")
    checks.append(
        SetupCheck("files", not wrong, "; ".join(wrong[:3]) or f"{len(payload)} files as built")
    )
    problem = privilege.untrusted_reason(_at(root, where.helper))
    checks.append(
        SetupCheck("root-owned", problem is None, problem or "only root can change the helper")
    )
    interpreter = _interpreter_problem()
    checks.append(
        SetupCheck(
            "interpreter",
            interpreter is None,
            interpreter or f"{helper_payload.INTERPRETER} runs it",
        )
    )
    if root == SYSTEM_ROOT and not wrong:
        checks.append(_runs_check(where.helper))
    if where.policy is not None:
        checks.append(_policy_check(_at(root, where.policy), where.helper))
        tool = privilege.linux_elevator()
        found = shutil.which(tool)
        checks.append(SetupCheck(
            "elevation", found is not None,
            f"{tool} asks for the password" if found else "install polkit (pkexec) so the app can ask for the password",
            required=False,
        ))  # fmt: skip
    return checks


def _runs_check(helper: str) -> SetupCheck:
    """The installed helper's read-only command, run as this user (it needs no rights)."""
    try:
        done = subprocess.run(
            [helper, "status"], capture_output=True, text=True, timeout=60, check=False
        )
        status = json.loads(done.stdout)
        ok = done.returncode == 0 and "active" in status
        detail = (
            f"`{Path(helper).name} status` reads {status.get('path')}"
            if ok
            else done.stderr.strip()
        )
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        ok, detail = False, f"the helper does not run: {exc}"
    return SetupCheck("runs", ok, detail)


def _policy_check(policy: Path, helper: str) -> SetupCheck:
    try:
        action = ET.parse(policy).getroot().find("action")
    except (OSError, ET.ParseError) as exc:
        return SetupCheck("polkit policy", False, f"{policy}: {exc}")
    exec_path = (
        None
        if action is None
        else action.findtext("annotate[@key='org.freedesktop.policykit.exec.path']")
    )
    ok = action is not None and action.get("id") == privilege.POLKIT_ACTION and exec_path == helper
    return SetupCheck("polkit policy", ok, f"{privilege.POLKIT_ACTION} names {exec_path}")
