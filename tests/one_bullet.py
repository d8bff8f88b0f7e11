"""Score one bullet the way a drafted scheme would: read it, wrap it in a one-indicator scheme,
and run the real engine."""
from __future__ import annotations

from decimal import Decimal

from schemes.model import Scheme
from authoring.rule_reader import read_rule
from scoring.engine import score


def score_bullet(text: str, values: list[Decimal]) -> Decimal:
    """`values` are the bullet's metrics in the order the reader lists them."""
    r = read_rule(text)
    assert r.kind, r.reason
    part = r.part()
    part.pop("text")
    ind = {"code": "1", "name": "试", "max_points": r.points, "metrics": r.metrics, "parts": [part]}
    scheme = Scheme.model_validate({
        "id": "t", "title": "t", "issuer": "t", "year": 2025, "audience": "departments",
        "base_total": r.points,
        "categories": [{"code": "一", "name": "c", "section": "base", "indicators": [ind]}]})
    return score(scheme, {"1": {m["name"]: v for m, v in zip(r.metrics, values)}}).items[0].points
