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

What the text can show (since the second round; `--as-before` counts the old way): a shipped
name or unit that the document never prints (a hand-written scheme's own short name such as
商务诚信领域信用记录, or 市人事部门 where the text says 人事、纪检、组织等相关部门) cannot be read
from it, so it is left out of that comparison and counted in the "not printed" column; "all
four" then asks only for the fields the text shows. Units are compared one name at a time
('各县（区）人民政府、管委会' is two names) and without a trailing 等/等相关部门, which the
reader drops. Readings that score the same count as the same: bands and piecewise by the
points they give at and around every limit; 是/否 bands whichever way 否 is written; a
每项得p分，共N分 per_item against the N/p checklist items of p written for it; a step of 1% on a
rate against a step of 1 on the rate ×100; expressions without their spacing.
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

from authoring.draft import draft_document  # noqa: E402
from schemes.loader import UNRESOLVED, scheme_by_id  # noqa: E402

SEEDS = ROOT / "bench" / "seeds"
PAIRS = {
    "000_bf0cc452d602482e.txt": ["zhengzhou-2019-departments", "zhengzhou-2019-counties"],
    "001_0d8eedc23a51c9bf.txt": ["huangshi-2019-demo-city"],
    "002_19d7038cb2c13d2d.txt": ["puyang-2021-demo-city"],
    "003_452f0e701efbe3d3.txt": ["zhengzhou-2022-workplan"],
    "004_219a59123a3888cc.txt": ["lvliang-2022-departments", "lvliang-2022-counties"],
}


_FAIR = True  # False with --as-before: the first round's comparison, for the before figures


def _num(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return v
    try:
        return Decimal(str(v)).normalize()
    except ArithmeticError:
        # an expression such as "(5 - x) / 2": spacing is layout, not a different formula
        return re.sub(r"\s+", "", str(v)) if _FAIR else v


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
        return [(k, _per(part), _num(part["points"]), _num(part.get("base", 0)), mx)]
    if k in ("bands", "piecewise"):
        ps = part["pieces"]
        if _FAIR and k == "bands" and len(ps) == 2 and ps[0].get("eq") is True and ps[1].get("eq") is False \
                and len(ps[1]) == 2:
            ps = [ps[0], {"then": ps[1]["then"]}]  # 是/否: 否 is everything but 是
        pieces = tuple(tuple((op, _num(p.get(op))) for op in ("lt", "le", "gt", "ge", "eq", "then")
                             if p.get(op) is not None) for p in ps)
        return [(k, _profile(ps) if _FAIR else pieces)]
    if k == "rank":
        return [(k, part.get("method", "linear"), _num(part["top"]), _num(part.get("bottom", 0)),
                 part.get("top_n", 1), part.get("bottom_n", 1), _num(part.get("full_at")))]
    if k == "deduction":
        return [(k, _per(part), _num(part["each"]), _num(part.get("base", 0)),
                 _num(part.get("cap")))]
    if k in ("formula", "discretionary"):
        return [(k, mx)]
    return [(k,)]


def _profile(pieces: list[dict[str, Any]]) -> Any:
    """What bands/piecewise score at and around every limit (first matching piece, as the
    engine does): [≥50%→1, 20%–50%→0.5, <20%→0] and [≥50%→1, ≥20%→0.5, else 0] are the same
    rule. Falls back to the written pieces when an expression reads more than x."""
    from schemes.expr import ExprError, evaluate

    written = tuple(tuple((op, _num(p.get(op))) for op in ("lt", "le", "gt", "ge", "eq", "then")
                          if p.get(op) is not None) for p in pieces)
    if any(isinstance(p.get("eq"), bool) for p in pieces):
        xs: list[Any] = [True, False]
    else:
        edges = sorted({Decimal(str(p[op])) for p in pieces for op in ("lt", "le", "gt", "ge", "eq")
                        if p.get(op) is not None})
        tiny = Decimal("0.0000001")
        xs = [e + d for e in edges for d in (-tiny, 0, tiny)]
        xs += [(a + b) / 2 for a, b in zip(edges, edges[1:])]
        xs += [edges[0] - 1, edges[-1] + 1] if edges else [Decimal(0)]

    def hit(p: dict[str, Any], x: Any) -> bool:
        if isinstance(x, bool):
            return p.get("eq") is None or p.get("eq") is x
        ops = {"lt": x.__lt__, "le": x.__le__, "gt": x.__gt__, "ge": x.__ge__, "eq": x.__eq__}
        return all(f(Decimal(str(p[op]))) for op, f in ops.items() if p.get(op) is not None)

    out = []
    for x in xs:
        p = next((p for p in pieces if hit(p, x)), None)
        then = 0 if p is None else p["then"]
        if isinstance(then, str):
            try:
                then = evaluate(then, {"x": x})
            except (ExprError, TypeError):
                return written
        out.append(round(Decimal(str(then)), 4).normalize())
    return tuple(zip(xs, out))


def _per(part: dict[str, Any]) -> Any:
    """The step on one scale: 'per 1 of (1 - rate) * 100' is per 0.01 of the rate (每降低1%)."""
    per = _num(part.get("per", 1))
    if not _FAIR:
        return per
    scale = re.search(r"\*\s*(100000|10000|1000|100)\b", str(part.get("value", "")))
    return (per / Decimal(scale.group(1))).normalize() if scale else per


def _same_scoring(missed: list[tuple], left: list[tuple]) -> int:
    """Shipped checklist items of p points each that a draft reads as one 每项得p分，共N分
    (per_item, N = items × p): the same scoring written two ways. Returns how many of
    `missed` that accounts for, taking those bullets out of both lists."""
    got = 0
    for d in list(left):
        if d[0] != "per_item" or d[1] != 1 or d[3] != 0 or not d[2] or d[4] is None:
            continue
        n = d[4] / d[2]
        items = [b for b in missed if b == ("checklist", d[2])]
        if n == n.to_integral_value() and len(items) == int(n):
            for b in items:
                missed.remove(b)
            left.remove(d)
            got += len(items)
    return got


def _clean(s: str) -> str:
    return re.sub(r"[\s\W_]+", "", s or "")


def _unit_names(units: list[str]) -> set[str]:
    """One comparable name per unit: split at 、, trailing 等(相关)部门/单位 dropped."""
    out = set()
    for u in units:
        for x in re.split(r"[、，,]", u):
            x = re.sub(r"等(?:相关)?(?:[^、]{0,8}?)(?:部门|单位)?$", "", x)
            if _clean(x):
                out.add(_clean(x))
    return out


def _printed(text: str, document: str) -> bool:
    """The document prints this (ignoring spaces, punctuation and markup)."""
    return _clean(text) in document


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
            detail: list[str] | None = None, document: str | None = None) -> dict[str, int]:
    """Counts for one shipped scheme (plain data) against one draft (plain data). With the
    document's cleaned text, names and units it never prints are left out (see above)."""
    s_inds = [i for c in shipped["categories"] for i in c["indicators"]]
    d_inds = [i for c in drafted["categories"] for i in c["indicators"]] if drafted else []
    n = {"indicators": len(s_inds), "found": 0, "code": 0, "name": 0, "points": 0, "units": 0,
         "all4": 0, "bullets": 0, "kind": 0, "exact": 0, "unresolved": 0, "unprinted": 0}
    for ind, hit in _pair(s_inds, d_inds):
        sb = [b for p in ind["parts"] for b in bullets(p, ind.get("max_points"))]
        n["bullets"] += len(sb)
        if hit is None:
            continue
        n["found"] += 1
        s_units = ind.get("lead", []) + ind.get("responsible", [])
        d_units = hit.get("lead", []) + hit.get("responsible", [])
        if document is None:
            name_ok = fuzz.partial_ratio(_clean(hit["name"]), _clean(ind["name"])) >= 70
            units_ok = set(map(_clean, s_units)) <= set(map(_clean, d_units))
        else:
            name_shown = _printed(ind["name"], document)
            name_ok = fuzz.partial_ratio(_clean(hit["name"]), _clean(ind["name"])) >= 70 \
                or not name_shown
            shown = {u for u in _unit_names(s_units) if u in document}
            units_ok = shown <= _unit_names(d_units)
            n["unprinted"] += (not name_shown) + (shown != _unit_names(s_units))
        ok = {
            "code": _code(hit["code"]) == _code(ind["code"]),
            "name": name_ok,
            "points": _num(hit.get("max_points")) == _num(ind.get("max_points")),
            "units": units_ok,
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
        if document is not None:  # not in --as-before
            same_scoring = _same_scoring(missed, db)
            n["exact"] += same_scoring
            n["kind"] += same_scoring
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
    ap.add_argument("--as-before", action="store_true",
                    help="compare names and units even where the document never prints them")
    args = ap.parse_args(argv)
    global _FAIR
    _FAIR = not args.as_before
    total: dict[str, int] = {}
    print("| seed | scheme | indicators | found | code | name | points | units | all four | "
          "bullets | kind right | kind+params right | 待确认 | not printed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for seed, ids in PAIRS.items():
        drafts = draft_document(SEEDS / seed)
        document = None if args.as_before else _clean(
            re.sub(r"</?[A-Za-z][^<>]*>", "", (SEEDS / seed).read_text(encoding="utf-8")))
        for k, sid in enumerate(ids):
            shipped = _plain(scheme_by_id(sid))
            drafted = drafts[k].data if k < len(drafts) else None
            lines: list[str] | None = [] if args.detail else None
            n = compare(shipped, drafted, lines, document)
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
            f"{pct('kind', 'bullets')} | {pct('exact', 'bullets')} | {n['unresolved']} | "
            f"{n['unprinted']} |")


if __name__ == "__main__":
    sys.exit(main())
