"""The dependency ranges in pyproject.toml are the ones the code works with: every lower bound
is pinned in constraints-lowest.txt, which `make test-lowest` installs to run the suite on the
oldest versions allowed (so a bound that is too low — sqlite-utils 3.x has no db.atomic() —
shows as a failing suite, not at an office's first message)."""
from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

from packaging.version import Version

from command_line import ROOT

_REQ = re.compile(r"^([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(?:,|$)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lower_bounds() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out = {}
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        m = _REQ.match(req)
        assert m, f"{req}: every dependency names its lowest version (>=)"
        out[_norm(m[1])] = Version(m[2])
    return out


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints-lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, at = line.partition("==")
            pins[_norm(name)] = Version(at.strip())
    return pins


def test_the_lowest_versions_file_pins_each_lower_bound():
    assert _pins() == _lower_bounds()


def test_the_ledger_needs_sqlite_utils_4():
    """db.atomic() (the ledger's write transactions) arrived in sqlite-utils 4.0."""
    assert _lower_bounds()["sqlite-utils"] >= Version("4.0")
    assert Version(version("sqlite-utils")) >= Version("4.0")
