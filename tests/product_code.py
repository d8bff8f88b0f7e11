"""The product's own source, as the tests that read it see it (imports point down, SQL only in
the ledger, one time zone): the packages pyproject ships, each file parsed once per test run.
Only these folders are walked, never the tree (a .venv holds thousands of files)."""
from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The top-level packages pyproject ships; their sub-packages are read with them.
PACKAGES: tuple[str, ...] = tuple(
    p for p in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ["tool"]["setuptools"]["packages"] if "." not in p)


def files(packages: Iterable[str] = PACKAGES) -> list[Path]:
    """Every module of `packages`, sub-packages too (console.pages), in a stable order."""
    return [p for pkg in packages for p in sorted((ROOT / pkg).rglob("*.py"))]


@cache
def tree(path: Path) -> ast.Module:
    """A source file's syntax tree, shared by every test that reads it: read it, never change it."""
    return ast.parse(path.read_text(encoding="utf-8"))
