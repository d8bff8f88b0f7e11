"""How well `scheme rule` reads scoring bullets from documents that are NOT the five seeds.

    .venv/bin/python bench/rule_phrasings.py [--detail] [--corpus FILE]

The corpus (bench/rule_corpus.yaml) holds bullets from other cities', provinces' and
industries' assessment documents (each with its source) and bullets written in the phrasings
such documents use (source `composed`). Each entry carries the reading a credit-office staff
member gives it, written by hand from the text:

- `kind`: the rule kind, or null when no single rule can say it (a 降档 event, two rules in one
  bullet): then an honest 待确认 is the right answer.
- `params`: the parameters that matter, compared with the reader's (numbers by value).
- `points`: the most the bullet gives.
- `scores`: inputs and the points the sentence promises, scored through the real engine
  (values keyed by `x` when the bullet measures one thing, else by a word of a metric's label), so a reading is right only
  if it scores what the sentence says.

Each bullet lands in one of three heaps: right (kind and all of the above agree, nothing left to
confirm), 待确认 (not recognised, or read with a reason staff must confirm: a draft marks it), or
wrong (read without a doubt, but not as the sentence says: the dangerous heap). The kind share
and the kind+params share count every reading, flagged or not. Prints figures; nothing is timed.
"""
from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from schemes.model import Scheme  # noqa: E402
from authoring.reading import Reading  # noqa: E402
from authoring.rule_words import plain
from authoring.rule_reader import read_rule
from scoring.engine import score  # noqa: E402

CORPUS = ROOT / "bench" / "rule_corpus.yaml"


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(_same(v, got.get(k)) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(map(_same, want, got))
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            return Decimal(str(want)) == Decimal(str(got))
        except (ArithmeticError, ValueError, TypeError):
            return False
    return want == got


def _metric_values(r: Reading, values: dict[str, Any]) -> dict[str, Any]:
    """{'报送': 80} -> {'v1': 80}: a key is a metric name or a word of its label."""
    out = {}
    for key, v in values.items():
        if key == "x" and len(r.metrics) == 1:  # the one thing the bullet measures
            out[r.metrics[0]["name"]] = v
            continue
        m = next((m for m in r.metrics if m["name"] == key), None) or \
            next((m for m in r.metrics if key in m["label"]), None)
        if m is None:
            raise KeyError(key)
        out[m["name"]] = v
    return out


def scored(r: Reading, values: dict[str, Any]) -> Decimal:
    """The points the real engine gives this reading as a one-indicator scheme."""
    part = r.part()
    part.pop("text")
    mx = r.points if r.points is not None else Decimal(100)
    ind = {"code": "1", "name": "试", "max_points": mx, "metrics": r.metrics, "parts": [part]}
    section = "deduction" if r.kind == "deduction" and not r.params.get("base") else "base"
    scheme = Scheme.model_validate({
        "id": "t", "title": "t", "issuer": "t", "year": 2025, "audience": "departments",
        "base_total": mx if section == "base" else None,
        "categories": [{"code": "一", "name": "c", "section": section, "indicators": [ind]}]})
    return score(scheme, {"1": _metric_values(r, values)}).items[0].points


def judge(entry: dict[str, Any]) -> tuple[str, bool, bool, str]:
    """(heap, kind right, kind+params right, what differs) for one corpus entry."""
    r = read_rule(entry["text"])
    want = entry.get("kind")
    flagged = r.kind is None or bool(r.reason)
    if want is None:
        ok = r.kind is None
        return ("right" if ok else "wrong" if not r.reason else "待确认", ok, ok,
                "" if ok else f"应为待确认，读成 {r.kind}")
    kind_ok = r.kind == want
    why = [] if kind_ok else [f"类型 {r.kind} ≠ {want}"]
    if kind_ok:
        got = plain(r.params)
        for k, v in (entry.get("params") or {}).items():
            if not _same(v, got.get(k)):
                why.append(f"{k}: {got.get(k)} ≠ {v}")
        # 各得1分 over three names is three parts of 1: the bullet gives at most 3
        most = r.points * len(r.each_of) if r.each_of and r.points is not None else r.points
        if "points" in entry and not _same(entry["points"], plain(most)):
            why.append(f"最高分 {plain(most)} ≠ {entry['points']}")
        for case in entry.get("scores") or []:
            try:
                pts = scored(r, case["values"])
            except Exception as exc:  # a reading the engine cannot score is a wrong reading
                why.append(f"计分失败 {case['values']}: {exc}")
                continue
            if not _same(case["points"], pts):
                why.append(f"{case['values']} 得 {plain(pts)} ≠ {case['points']}")
    right = kind_ok and not why
    heap = "待确认" if flagged and not right else "right" if right else "wrong"
    if r.kind is None:
        why = [f"未识别：{r.reason}"]
    elif r.reason:
        why.append(f"待确认：{r.reason}")
    return heap, kind_ok, right, "；".join(why)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detail", action="store_true", help="list every bullet not read right")
    ap.add_argument("--corpus", default=str(CORPUS))
    args = ap.parse_args(argv)
    entries = yaml.safe_load(Path(args.corpus).read_text(encoding="utf-8"))
    rows = [(e, *judge(e)) for e in entries]
    n = len(rows)
    real = sum(1 for e in entries if e.get("source") != "composed")

    def share(k: int) -> str:
        return f"{k}/{n} = {100 * k / n:.1f}%"

    heaps = {h: sum(1 for _, x, *_ in rows if x == h) for h in ("right", "待确认", "wrong")}
    print(f"rule corpus: {n} bullets ({real} from documents, {n - real} composed)")
    print(f"  kind right            {share(sum(1 for r in rows if r[2]))}")
    print(f"  kind + params right   {share(sum(1 for r in rows if r[3]))}")
    print(f"  right, nothing to confirm  {share(heaps['right'])}")
    print(f"  待确认 (honest doubt)  {share(heaps['待确认'])}")
    print(f"  wrong (read silently, not as written)  {share(heaps['wrong'])}")
    for label, subset in (("from documents", [r for r in rows if r[0].get("source") != "composed"]),
                          ("composed", [r for r in rows if r[0].get("source") == "composed"])):
        if subset:
            k = sum(1 for r in subset if r[3])
            w = sum(1 for r in subset if r[1] == "wrong")
            print(f"  {label}: kind+params {k}/{len(subset)}, wrong {w}")
    if args.detail:
        for e, heap, _, _, why in rows:
            if heap != "right":
                print(f"\n[{heap}] {e['text']}\n    期望 {e.get('kind')}：{why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
