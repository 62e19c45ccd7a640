"""The installed helper's files: a root-owned copy of exactly the code it runs.

Linux layout (macOS, untested: the same under /usr/local)::

    /usr/libexec/deepworkzone/deepworkzone-helper      the launcher, 0755
    /usr/lib/deepworkzone/helper/deepworkzone/...      the helper's modules, 0644
    /usr/lib/deepworkzone/helper/idna/...              pure-Python packages they import
    /usr/lib/deepworkzone/helper/MANIFEST.json         every file above, with its hash
    /usr/share/polkit-1/actions/ai.deepworkzone.helper.policy

The launcher starts the system interpreter with ``-I -S -B``: no PYTHON* variable, no user or
site packages, not the script's own folder. It then adds only the root-owned folder above,
after the standard library, so nothing a user can write is ever imported as root (and
-B: no bytecode is written into it).

The modules are found by reading the helper's imports (not by a list kept by hand): a new
module that blocking/helper.py imports, directly or not, is copied too. Third-party imports
must be pure Python (copied whole from where this process finds them); anything compiled is
refused when the payload is built. A PyInstaller bundle has no sources, so the bundle carries
this tree ready-made (``BUNDLED_TREE``), built by packaging/pyinstaller/deepworkzone.spec.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import deepworkzone
from deepworkzone.blocking import privilege

ENTRY = "deepworkzone.blocking.helper"
INTERPRETER = "/usr/bin/python3"
MIN_PYTHON = (3, 11)
MANIFEST = "MANIFEST.json"
POLICY_NAME = f"{privilege.POLKIT_ACTION}.policy"
# Inside a frozen bundle: the tree below, built at bundle time.
BUNDLED_TREE = "deepworkzone_setup"


class PayloadError(Exception):
    """The helper's files cannot be put together from this installation."""


@dataclass(frozen=True)
class PayloadFile:
    path: str  # absolute, where it is installed ("/usr/lib/...")
    mode: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Layout:
    helper: str  # the launcher
    lib: str  # the root-owned module folder
    policy: str | None  # polkit (Linux only)

    @property
    def owned_dirs(self) -> list[str]:
        """Folders that are ours alone, removed with the files (deepest first)."""
        return [
            self.lib,
            str(PurePosixPath(self.lib).parent),
            str(PurePosixPath(self.helper).parent),
        ]


def layout(platform: str = sys.platform) -> Layout:
    helper = privilege.installed_helper_path(platform)
    if platform == "darwin":
        return Layout(str(helper), "/usr/local/lib/deepworkzone/helper", None)
    return Layout(
        str(helper), "/usr/lib/deepworkzone/helper", f"/usr/share/polkit-1/actions/{POLICY_NAME}"
    )


def launcher_text(lib: str, interpreter: str = INTERPRETER) -> str:
    return (
        f"#!{interpreter} -ISB\n"
        "# deepworkzone-helper, installed by 'deepworkzone setup' or the deepworkzone package.\n"
        "# -I -S: no PYTHON* variables, no user or site packages, not this script's folder;\n"
        "# the only code run is the standard library and the root-owned copy below.\n"
        "# -B: it writes no bytecode there, so the copy stays exactly what was installed.\n"
        "import sys\n"
        "\n"
        f"sys.path.append({lib!r})\n"
        "from deepworkzone.blocking.helper import main  # noqa: E402\n"
        "\n"
        "sys.exit(main())\n"
    )


# -- the import closure ------------------------------------------------------------------


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name == "TYPE_CHECKING":  # typing-only imports are never run
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            parent = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{parent}.{base}" if base else parent
        self.names.add(base)
        self.names.update(f"{base}.{alias.name}" for alias in node.names)


def _imports_of(path: Path, module: str) -> set[str]:
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_bytes(), str(path)))
    return visitor.names


def _our_file(module: str, root: Path) -> Path | None:
    parts = module.split(".")[1:]
    base = root.joinpath(*parts)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _is_stdlib(top: str) -> bool:
    return top in sys.stdlib_module_names or top == "__future__"


def _third_party_root(top: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin)


def _package_files(root: Path) -> list[Path]:
    if root.is_file():
        files = [root]
    else:
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    compiled = [p for p in files if p.suffix in (".so", ".pyd", ".dylib")]
    if compiled:
        raise PayloadError(
            f"the helper imports compiled code ({compiled[0]}); it must be pure Python"
        )
    return [p for p in files if p.suffix == ".py" or p.name == "py.typed"]


def helper_sources(entry: str = ENTRY) -> dict[str, Path]:
    """Every file the helper may import: relative path in the module folder -> source file."""
    ours_root = Path(deepworkzone.__file__).resolve().parent
    if not (ours_root / "blocking" / "helper.py").is_file():
        raise PayloadError(f"no sources of {ENTRY} in {ours_root}")
    files: dict[str, Path] = {}
    seen: set[str] = set()
    todo = [entry]
    third: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen or not name:
            continue
        seen.add(name)
        top = name.split(".")[0]
        if top != "deepworkzone":
            if not _is_stdlib(top) and top not in third:
                found = _third_party_root(top)
                if found is None:
                    raise PayloadError(f"the helper imports {top}, which is not installed")
                third[top] = found
            continue
        path = _our_file(name, ours_root)
        if path is None:
            continue  # an attribute (from x import name), not a module
        parts = name.split(".")
        for depth in range(1, len(parts)):  # the packages above it
            todo.append(".".join(parts[:depth]))
        files[str(path.relative_to(ours_root.parent).as_posix())] = path
        todo.extend(_imports_of(path, name))
    _add_third_party(third, files)
    return dict(sorted(files.items()))


def _add_third_party(third: dict[str, Path], files: dict[str, Path]) -> None:
    # Copied whole, their own imports not followed (optional ones, tests, plugins): a
    # dependency they lack shows at once when the installed helper runs under -I -S.
    for root in third.values():
        for path in _package_files(root):
            files[str(path.relative_to(root.parent).as_posix())] = path


# -- the payload ---------------------------------------------------------------------------


def _policy_source() -> Path:
    package = Path(deepworkzone.__file__).resolve().parent
    for candidate in (
        package / "_packaging" / "linux" / POLICY_NAME,  # the wheel (pyproject force-include)
        package.parents[1] / "packaging" / "linux" / POLICY_NAME,  # the source tree
    ):
        if candidate.is_file():
            return candidate
    raise PayloadError(f"the polkit policy {POLICY_NAME} is not part of this installation")


def _bundled_tree() -> Path | None:
    base = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and base:
        tree = Path(base) / BUNDLED_TREE
        if tree.is_dir():
            return tree
    return None


def build_payload(platform: str = sys.platform) -> list[PayloadFile]:
    """Every file setup installs, with its final path, mode and content; the manifest last."""
    bundled = _bundled_tree()
    if bundled is not None:
        return read_tree(bundled, platform)
    where = layout(platform)
    out = [PayloadFile(where.helper, 0o755, launcher_text(where.lib).encode())]
    for rel, source in helper_sources().items():
        out.append(PayloadFile(f"{where.lib}/{rel}", 0o644, source.read_bytes()))
    if where.policy is not None:
        out.append(PayloadFile(where.policy, 0o644, _policy_source().read_bytes()))
    return [*out, manifest_file(out, where)]


def manifest_file(files: list[PayloadFile], where: Layout) -> PayloadFile:
    doc = {
        "files": [{"path": f.path, "mode": f.mode, "sha256": f.sha256} for f in files],
        "dirs": where.owned_dirs,
    }
    return PayloadFile(
        f"{where.lib}/{MANIFEST}", 0o644, (json.dumps(doc, indent=1) + "\n").encode()
    )


def write_tree(files: list[PayloadFile], dest: Path) -> Path:
    """The payload as a folder tree under ``dest`` (staging, the bundle, the .deb)."""
    for item in files:
        target = dest / item.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data)
        target.chmod(item.mode)
    return dest


def read_tree(tree: Path, platform: str = sys.platform) -> list[PayloadFile]:
    """A tree written by ``write_tree`` back as the payload (its manifest says what is in it)."""
    where = layout(platform)
    manifest = tree / where.lib.lstrip("/") / MANIFEST
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    out = []
    for entry in doc["files"]:
        data = (tree / entry["path"].lstrip("/")).read_bytes()
        out.append(PayloadFile(entry["path"], int(entry["mode"]), data))
    return [*out, PayloadFile(f"{where.lib}/{MANIFEST}", 0o644, manifest.read_bytes())]


def main(argv: list[str] | None = None) -> int:
    """``python -m deepworkzone.engine.helper_payload DEST``: write the tree (packaging)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m deepworkzone.engine.helper_payload DEST", file=sys.stderr)
        return 2
    files = build_payload("linux")
    write_tree(files, Path(args[0]))
    print(f"{len(files)} files under {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
