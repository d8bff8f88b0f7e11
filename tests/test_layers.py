"""The house has floors and every import points down:

    schemes <- scoring <- worktime <- ledger <- reminders <- console <- bot
                          worktime <- channels <- reminders
                          ledger, authoring <- reports <- console, bot
    schemes, scoring, worktime <- authoring <- console, bot   (never below: scoring, ledger)

Each package may import only the packages listed for it (function-local imports count too),
and no group of modules in a package imports itself round in a circle."""
from __future__ import annotations

import ast
from pathlib import Path

from product_code import ROOT, files, tree

FLOORS: dict[str, set[str]] = {
    "schemes": set(),
    "scoring": {"schemes"},
    "worktime": set(),
    "channels": {"worktime"},
    "authoring": {"schemes", "scoring", "worktime"},
    "ledger": {"schemes", "scoring", "worktime"},
    "reminders": {"schemes", "scoring", "worktime", "ledger", "channels"},
    "reports": {"schemes", "scoring", "worktime", "ledger", "authoring"},
    "console": {"schemes", "scoring", "worktime", "ledger", "channels", "reminders", "reports",
                "authoring"},
    "bot": {"schemes", "scoring", "worktime", "ledger", "channels", "reminders", "reports",
            "console", "authoring"},
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in files(FLOORS):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, known: set[str]) -> list[tuple[int, str]]:
    """Every project module this file imports, anywhere in it."""
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                     else node.module for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in FLOORS]
    return found


def test_every_import_points_down():
    modules = _modules()
    upward = []
    for name, path in modules.items():
        pkg = name.split(".")[0]
        for line, target in _imports(path, set(modules)):
            other = target.split(".")[0]
            if other != pkg and other not in FLOORS[pkg]:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert upward == []


def test_no_import_cycles_inside_a_package():
    modules = _modules()
    graph = {name: {t for _, t in _imports(path, set(modules)) if t in modules and t != name}
             for name, path in modules.items()}
    cycles = []

    def visit(node: str, stack: list[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in stack:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in done:
                visit(nxt, stack + [nxt], done)
        done.add(node)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name], done)
    assert cycles == []


def test_the_checker_sees_function_local_imports(tmp_path: Path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from bot.app import create_app\n    import ledger.db\n")
    assert [t for _, t in _imports(probe, {"bot.app", "ledger.db"})] == ["bot.app", "ledger.db"]
