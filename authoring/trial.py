"""A scheme file that may still be a draft, for trying it out: `score --scheme FILE` and
`scheme diff` read a draft whose `待确认` lines are not resolved yet, as the reader read it, and
say which lines are still to confirm (a draft is never added to an office this way: `scheme
check` and `scheme add` still refuse it)."""
from __future__ import annotations

from pathlib import Path

import yaml

from authoring.draft import _without_unresolved
from schemes.loader import UNRESOLVED, SchemeError, load_scheme, load_text
from schemes.model import Scheme

__all__ = ["load_trial"]


def load_trial(path: str | Path) -> tuple[Scheme, list[str]]:
    """The scheme in `path` and the `待确认` lines it still has (file:line and reason); any
    other problem is refused as `scheme check` would."""
    path = Path(path)
    try:
        return load_scheme(path), []
    except SchemeError as exc:
        marks = [line for line in exc.lines if f": {UNRESOLVED}：" in line]
        if len(marks) != len(exc.lines):
            raise
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = yaml.safe_dump(_without_unresolved(data), allow_unicode=True, sort_keys=False)
    try:
        return load_text(text, f"{path.name}（去掉待确认后）"), marks
    except SchemeError as exc:
        raise SchemeError(marks + exc.lines) from None
