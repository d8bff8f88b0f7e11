"""What pyproject ships is there: every package-data pattern matches a file, and every
template a package renders is covered by a pattern (an installed copy would lack it)."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TOOL = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_data_pattern_ships_a_file():
    empty = [f"{pkg}: {pattern}" for pkg, patterns in _TOOL["package-data"].items()
             for pattern in patterns if not list((ROOT / pkg.replace(".", "/")).glob(pattern))]
    assert empty == []


def test_every_template_is_shipped():
    shipped = {path for pkg, patterns in _TOOL["package-data"].items() for pattern in patterns
               for path in (ROOT / pkg.replace(".", "/")).glob(pattern)}
    templates = {p for pkg in _TOOL["packages"] if "." not in pkg
                 for p in (ROOT / pkg / "templates").rglob("*.html")}
    assert templates and templates - shipped == set()
