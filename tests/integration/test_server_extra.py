"""The server is an extra (`pip install 'deepworkzone[server]'`): on a machine without
fastapi, uvicorn, sqlalchemy and alembic the desktop app and every other command still load,
and `serve` / `admin` say in one line how to install it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Run in a child whose importer refuses the server's dependencies, as if never installed.
PRELUDE = textwrap.dedent(
    """
    import importlib.abc, sys
    BLOCKED = {"fastapi", "uvicorn", "sqlalchemy", "alembic", "starlette"}
    class Missing(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, Missing())
    import importlib.util
    real_find_spec = importlib.util.find_spec
    def find_spec(name, package=None):
        return None if name.split(".")[0] in BLOCKED else real_find_spec(name, package)
    importlib.util.find_spec = find_spec
    """
)


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEEPWORKZONE_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_app_and_the_other_commands_load_without_the_server(tmp_path: Path) -> None:
    done = _run(
        """
        import deepworkzone.launcher
        import deepworkzone.gui.app
        from deepworkzone.cli.main import build_parser, main
        build_parser()  # imports every command module
        assert main(["sessions", "list", "--help"]) == 0
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    loaded = _run(
        """
        import sys, deepworkzone.launcher, deepworkzone.gui.app
        from deepworkzone.cli.main import build_parser
        build_parser()
        print(sorted(m for m in sys.modules if m.startswith("deepworkzone.server")))
        """,
        tmp_path,
    )
    # serve's --help shows the server's defaults, from a module that imports nothing.
    assert loaded.stdout.strip() == "['deepworkzone.server', 'deepworkzone.server.defaults']", (
        loaded.stderr
    )


def test_serve_and_admin_without_the_server_say_how_to_install_it(tmp_path: Path) -> None:
    for argv in (
        ["serve"],
        ["admin", "create-user", "--email", "a@acme.test", "--org", "acme"],
    ):
        done = _run(
            f"""
            from deepworkzone.cli.main import main
            raise SystemExit(main({argv!r}))
            """,
            tmp_path,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        assert "pip install 'deepworkzone[server]'" in done.stderr
