"""How well `scheme draft` reads the five seed documents, against the hand-written schemes.

    .venv/bin/python bench/draft_accuracy.py [--detail]

Each seed text (copies shipped in bench/seeds/) is drafted from its text alone and compared with
the scheme(s) shipped for it:

- indicators: each shipped indicator is paired with a draft indicator by code, else by the
  closest name. Counted: code equal; name close (rapidfuzz partial ratio >= 70 on the text
  without spaces/punctuation); points equal; responsible units (every shipped 牵头/责任单位 is
  among the draft's); and all four at once (goal >= 90%).
- scoring bullets: a shipped rule part is one bullet (a checklist part one bullet per item).
  Within a paired indicator each shipped bullet takes an unused draft bullet with the same
  rule kind and parameters (goal >= 80%), else one with the same kind only.
  Parameters compared: points/per/base/cap, band limits and points, rank method and
  top/bottom, the part's max; formula expressions and metric names are not (the draft cannot
  know the hand-chosen metric names), only that a formula with the same max was read.
A 待确认 bullet never counts as right. Prints one table; nothing is timed.
"""
from __future__ import annotations

import argparse
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from schemes.draft import draft_document  # noqa: E402
from schemes.loader import UNRESOLVED, scheme_by_id  # noqa: E402

SEEDS = ROOT / "bench" / "seeds"
PAIRS = {
    "000_bf0cc452d602482e.txt": ["zhengzhou-2019-departments", "zhengzhou-2019-counties"],
    "001_0d8eedc23a51c9bf.txt": ["huangshi-2019-demo-city"],
    "002_19d7038cb2c13d2d.txt": ["puyang-2021-demo-city"],
    "003_452f0e701efbe3d3.txt": ["zhengzhou-2022-workplan"],
    "004_219a59123a3888cc.txt": ["lvliang-2022-departments", "lvliang-2022-counties"],
}


def _num(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return v
    try:
        return Decimal(str(v)).normalize()
    except ArithmeticError:
        return v  # an expression such as "(5 - x) / 2"


def bullets(part: dict[str, Any], ind_max: Any = None) -> list[tuple]:
    """A rule part (as plain data) -> comparable bullets (kind, parameters...). A part without
    its own max may reach the indicator's, so that is its max."""
    if UNRESOLVED in part:
        return [("待确认",)]
    k = part["kind"]
    mx = _num(part.get("max_points") if part.get("max_points") is not None else ind_max)
    if k == "checklist":
        return [("checklist", _num(it["points"])) for it in part["items"]]
    if k == "per_item":
        return [(k, _num(part.get("per", 1)), _num(part["points"]), _num(part.get("base", 0)), mx)]
    if k in ("bands", "piecewise"):
        pieces = tuple(tuple((op, _num(p.get(op))) for op in ("lt", "le", "gt", "ge", "eq", "then")
                             if p.get(op) is not None) for p in part["pieces"])
        return [(k, pieces)]
    if k == "rank":
        return [(k, part.get("method", "linear"), _num(part["top"]), _num(part.get("bottom", 0)),
                 part.get("top_n", 1), part.get("bottom_n", 1), _num(part.get("full_at")))]
    if k == "deduction":
        return [(k, _num(part.get("per", 1)), _num(part["each"]), _num(part.get("base", 0)),
                 _num(part.get("cap")))]
    if k in ("formula", "discretionary"):
        return [(k, mx)]
    return [(k,)]


def _clean(s: str) -> str:
    return re.sub(r"[\s\W_]+", "", s or "")


def _code(s: str) -> str:
    return _clean(str(s).replace("（", "(").replace("）", ")"))


def _pair(shipped: list[dict], drafted: list[dict]) -> list[tuple[dict, dict | None]]:
    free = list(drafted)
    out: list[tuple[dict, dict | None]] = []
    for ind in shipped:
        hit = next((d for d in free if _code(d["code"]) == _code(ind["code"])
                    and fuzz.partial_ratio(_clean(d["name"]), _clean(ind["name"])) >= 50), None)
        if hit is None:
            best = max(free, key=lambda d: fuzz.partial_ratio(_clean(d["name"]), _clean(ind["name"])),
                       default=None)
            if best is not None and fuzz.partial_ratio(_clean(best["name"]), _clean(ind["name"])) >= 70:
                hit = best
        if hit is None:
            hit = next((d for d in free if _code(d["code"]) == _code(ind["code"])), None)
        if hit is not None:
            free.remove(hit)
        out.append((ind, hit))
    return out


def compare(shipped: dict[str, Any], drafted: dict[str, Any] | None,
            detail: list[str] | None = None) -> dict[str, int]:
    """Counts for one shipped scheme (plain data) against one draft (plain data)."""
    s_inds = [i for c in shipped["categories"] for i in c["indicators"]]
    d_inds = [i for c in drafted["categories"] for i in c["indicators"]] if drafted else []
    n = {"indicators": len(s_inds), "found": 0, "code": 0, "name": 0, "points": 0, "units": 0,
         "all4": 0, "bullets": 0, "kind": 0, "exact": 0, "unresolved": 0}
    for ind, hit in _pair(s_inds, d_inds):
        sb = [b for p in ind["parts"] for b in bullets(p, ind.get("max_points"))]
        n["bullets"] += len(sb)
        if hit is None:
            continue
        n["found"] += 1
        ok = {
            "code": _code(hit["code"]) == _code(ind["code"]),
            "name": fuzz.partial_ratio(_clean(hit["name"]), _clean(ind["name"])) >= 70,
            "points": _num(hit.get("max_points")) == _num(ind.get("max_points")),
            "units": set(map(_clean, ind.get("lead", []) + ind.get("responsible", [])))
            <= set(map(_clean, hit.get("lead", []) + hit.get("responsible", []))),
        }
        for k, v in ok.items():
            n[k] += v
        n["all4"] += all(ok.values())
        db = [b for p in hit["parts"] for b in bullets(p, hit.get("max_points"))]
        n["unresolved"] += sum(b == ("待确认",) for b in db)
        missed = []
        for b in sb:
            if b in db:
                db.remove(b)
                n["exact"] += 1
                n["kind"] += 1
            else:
                missed.append(b)
        for b in missed:
            same = next((x for x in db if x[0] == b[0]), None)
            if same is not None:
                db.remove(same)
                n["kind"] += 1
        if missed and detail is not None:
            detail.append(f"    {ind['code']}: shipped {missed} draft left {db}")
    return n


def _plain(scheme) -> dict[str, Any]:
    return scheme.model_dump(mode="json", exclude_none=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detail", action="store_true", help="list each shipped indicator's pairing")
    args = ap.parse_args(argv)
    total: dict[str, int] = {}
    print("| seed | scheme | indicators | found | code | name | points | units | all four | "
          "bullets | kind right | kind+params right | 待确认 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for seed, ids in PAIRS.items():
        drafts = draft_document(SEEDS / seed)
        for k, sid in enumerate(ids):
            shipped = _plain(scheme_by_id(sid))
            drafted = drafts[k].data if k < len(drafts) else None
            lines: list[str] | None = [] if args.detail else None
            n = compare(shipped, drafted, lines)
            for key, v in n.items():
                total[key] = total.get(key, 0) + v
            print(_row(seed[:3], sid, n))
            if args.detail:
                s_inds = [i for c in shipped["categories"] for i in c["indicators"]]
                d_inds = [i for c in drafted["categories"] for i in c["indicators"]] if drafted else []
                for ind, hit in _pair(s_inds, d_inds):
                    print(f"    {ind['code']:8} {ind['name'][:20]:22} -> "
                          f"{(hit['code'] + ' ' + hit['name'][:20]) if hit else '—'}")
                print("\n".join(lines))
    print(_row("all", "", total))
    ind_share = total["all4"] / total["indicators"]
    bullet_share = total["exact"] / total["bullets"]
    print(f"\nindicators right (code, name, points, units): {ind_share:.0%} (goal ≥ 90%)")
    print(f"scoring bullets right (kind and parameters): {bullet_share:.0%} (goal ≥ 80%); "
          f"kind alone {total['kind'] / total['bullets']:.0%}")
    return 0


def _row(seed: str, sid: str, n: dict[str, int]) -> str:
    def pct(a: str, b: str) -> str:
        return f"{n[a]}/{n[b]} ({n[a] / n[b]:.0%})" if n[b] else "—"
    return (f"| {seed} | {sid} | {n['indicators']} | {pct('found', 'indicators')} | "
            f"{pct('code', 'indicators')} | {pct('name', 'indicators')} | {pct('points', 'indicators')} | "
            f"{pct('units', 'indicators')} | {pct('all4', 'indicators')} | {n['bullets']} | "
            f"{pct('kind', 'bullets')} | {pct('exact', 'bullets')} | {n['unresolved']} |")


if __name__ == "__main__":
    sys.exit(main())
