"""The ledger owns SQL: no module outside ledger/ runs a query or holds one as text, so a
schema change is made in one package and every read of a table can be found there."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import product_code
from product_code import ROOT, files, tree

# Every package pyproject ships (sub-packages are read with their parent), but the ledger.
PACKAGES = tuple(p for p in product_code.PACKAGES if p != "ledger")
# Packages besides ledger/ allowed to run SQL, each with why: none (the console's queries
# moved into ledger/ with its page blueprints). Tests and bench/ may count or seed rows.
ALLOWED: dict[str, str] = {}
# Calls that run SQL on a connection or a sqlite-utils Database.
_RUNS = {"execute", "executemany", "executescript", "query", "rows_where", "set_trace_callback"}
_SQL = re.compile(r"^\s*(SELECT\b.+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|"
                  r"DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|BEGIN\b|PRAGMA\b)",
                  re.IGNORECASE | re.DOTALL)


def _findings(path: Path) -> list[str]:
    out = []
    for node in ast.walk(tree(path)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _RUNS):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno} calls .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.match(node.value):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno} holds SQL {node.value[:40]!r}")
    return out


def test_no_sql_outside_the_ledger():
    assert {"bot", "channels", "console", "reminders"} <= set(PACKAGES)
    found = [f for p in files(tuple(pkg for pkg in PACKAGES if pkg not in ALLOWED))
             for f in _findings(p)]
    assert found == []


def test_the_check_sees_sql_where_it_is():
    """The scan is not vacuous: it finds the ledger's own queries."""
    found = [f for p in files(("ledger",)) for f in _findings(p)]
    assert any("ledger/inbound.py" in f and "calls .execute()" in f for f in found)
    assert any("ledger/units.py" in f and "holds SQL" in f for f in found)

