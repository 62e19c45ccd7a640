"""Errors carry a code and data; each front end writes its own words. No message below cli/
tells the user to type a CLI command (the server, a program of its own, is not checked)."""

from __future__ import annotations

import ast
from pathlib import Path

import deepworkzone

PACKAGE = Path(deepworkzone.__file__).parent
FRONT_ENDS = ("cli", "gui", "server")
COMMAND = "`deepworkzone "


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are statements of their own: docstrings of modules,
    classes and functions, and the attribute docstrings under an assignment."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for stmt in body:
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            ):
                found.add(id(stmt.value))
    return found


def command_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal that is not a docstring and names a command.
    The literal parts of f-strings count; comments are not in the tree at all."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and COMMAND in node.value
    ]


def test_the_check_sees_messages_and_skips_docstrings_and_comments() -> None:
    source = '''
"""`deepworkzone unblock` in a module docstring."""
X = 1
"""`deepworkzone run` in an attribute docstring."""


class Thing:
    """`deepworkzone focus` in a class docstring."""

    def go(self, app):
        """`deepworkzone stop` in a function docstring."""
        # `deepworkzone login` in a comment
        plain = "run `deepworkzone connect slack`"
        joined = ("run " "`deepworkzone login`")
        formatted = f"run `deepworkzone connect {app}` again"
        fine = "deepworkzone connect slack"  # no backquote: a name, not a command to type
        raise ValueError(plain + joined + formatted + fine)
'''
    assert [line for line, _ in command_strings(source)] == [13, 14, 15]


def test_no_string_below_cli_tells_the_user_to_type_a_command() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in FRONT_ENDS:
            continue
        for line, text in command_strings(path.read_text(encoding="utf-8")):
            offenders.append(f"{relative}:{line}: {text!r}")
    assert offenders == [], "word these by code in cli/errors.py hint() instead:\n" + "\n".join(
        offenders
    )
