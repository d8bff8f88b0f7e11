"""A facts file for `creditbot score --scheme ID --facts FILE`: indicator code -> {metric: value}.

Values are read the way chat reads them (bot.numbers): "98%", "三十五", "5000万元" work, and a
number outside the metric's declared range is refused with the range named — a percent written
as 98 is not silently 9800%. A rank item can be given its points (`rank_points: 3`) or the other
units' values (`peers: {市A局: 120, 市B局: 80}` or a list of numbers), so one unit can be scored
against the field. An item a city scheme scores per unit takes each unit's figures
(`units: {市A局: {rate: 98%}, 市B局: {rate: 90%}}`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.numbers import AmbiguousValue, NumberError, in_range, read_value, show_value
from schemes.model import Indicator, Rank, Scheme

__all__ = ["FactsFile", "FactsFileError", "read_facts_file"]

_RANK_KEYS = ("rank_points", "peers")


class FactsFileError(ValueError):
    """Problems that make the file unusable; each line names the indicator and metric."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class FactsFile:
    facts: dict[str, Any]
    peers: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit -> facts
    rank_points: dict[tuple[str, int], Decimal] = field(default_factory=dict)  # (code, part)
    warnings: list[str] = field(default_factory=list)


def _load(path: str) -> dict[str, Any]:
    import yaml
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise FactsFileError([f"{path}: 事实文件应是「指标编号: {{数据项: 值}}」的映射"])
    return {str(k): v for k, v in data.items()}


def _value(ind: Indicator, name: str, raw: Any, where: str, problems: list[str]) -> Any:
    """One metric value, read and range-checked."""
    metric = next(m for m in ind.metrics if m.name == name)
    if metric.type in ("bool", "text") or isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, str):
        try:
            return float(read_value(metric, raw)) if metric.type != "count" else int(read_value(metric, raw))
        except AmbiguousValue as exc:
            problems.append(f"{where}：「{raw}」可读作 {' 或 '.join(exc.options)}，请写明 %")
            return None
        except NumberError as exc:
            problems.append(f"{where}：{exc}")
            return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        problems.append(f"{where}：「{raw}」不是数字")
        return None
    if not in_range(metric, value):
        lo, hi = metric.bounds()
        hint = (f"；比例请写成小数（{show_value(metric, Decimal('0.98'))} 写 0.98）或带 % 的文字（\"98%\"）"
                if metric.type == "percent" else "")
        bounds = f"{show_value(metric, lo) if lo is not None else '不限'} 到 " \
                 f"{show_value(metric, hi) if hi is not None else '不限'}"
        problems.append(f"{where}：{raw} 超出取值范围 {bounds}{hint}")
        return None
    return raw


def _rank_parts(ind: Indicator) -> list[int]:
    return [n for n, p in enumerate(ind.parts) if p.kind == "rank"]


def _rank_entries(ind: Indicator, entry: dict, out: FactsFile, problems: list[str]) -> None:
    code, parts = ind.code, _rank_parts(ind)
    if ("rank_points" in entry or "peers" in entry) and not parts:
        problems.append(f"指标「{code}」不是排名计分项，不能写 rank_points 或 peers")
        return
    given = entry.get("rank_points")
    if given is not None:
        pairs = given.items() if isinstance(given, dict) else [(None, given)]
        for key, pts in pairs:
            idx = _part_index(ind, parts, key)
            if idx is None:
                problems.append(f"指标「{code}」rank_points 的分项「{key}」不存在或不是排名分项"
                                f"（有多个排名分项时写 {{分项id: 分}}）")
                continue
            try:
                value = Decimal(str(pts))
            except InvalidOperation:
                problems.append(f"指标「{code}」rank_points「{pts}」不是数字")
                continue
            part = ind.parts[idx]
            assert isinstance(part, Rank)  # _rank_parts lists rank parts only
            if not min(part.bottom, Decimal(0)) <= value <= part.top:
                problems.append(f"指标「{code}」rank_points {pts} 超出该项排名分值 0 到 {part.top}")
                continue
            out.rank_points[(code, idx)] = value
    peers = entry.get("peers")
    if peers is None:
        return
    if isinstance(peers, list):
        peers = {f"对比单位{n}": v for n, v in enumerate(peers, start=1)}
    if not isinstance(peers, dict):
        problems.append(f"指标「{code}」peers 应是「单位: 数值」的映射或数值列表")
        return
    metric = next((p.value for n, p in enumerate(ind.parts) if n in parts and isinstance(p, Rank)),
                  None)
    for unit, value in peers.items():
        values = value if isinstance(value, dict) else {metric or "": value}
        checked = {k: _value(ind, k, v, f"指标「{code}」peers「{unit}」数据项「{k}」", problems)
                   for k, v in values.items() if any(m.name == k for m in ind.metrics)}
        if len(checked) != len(values):
            problems.append(f"指标「{code}」peers「{unit}」的数据项应为 {metric}（或写 {{数据项: 值}}）")
            continue
        out.peers.setdefault(str(unit), {})[code] = checked


def _part_index(ind: Indicator, parts: list[int], key: Any) -> int | None:
    if key is None:
        return parts[0] if len(parts) == 1 else None
    for n in parts:
        p = ind.parts[n]
        if str(key) in (p.id or f"p{n + 1}", p.label, str(n + 1)):
            return n
    return None


def _unit_entries(ind: Indicator, given: Any, problems: list[str]) -> dict[str, dict[str, Any]]:
    """`units: {市A局: {数据项: 值}}` of an item the scheme scores per unit (per_unit)."""
    code = ind.code
    if ind.per_unit is None:
        problems.append(f"指标「{code}」不是分别计分项（per_unit），不能写 units")
        return {}
    if not isinstance(given, dict):
        problems.append(f"指标「{code}」units 应是「单位: {{数据项: 值}}」的映射")
        return {}
    declared = {m.name for m in ind.metrics}
    out: dict[str, dict[str, Any]] = {}
    for unit, values in given.items():
        if not isinstance(values, dict):
            problems.append(f"指标「{code}」units「{unit}」应是「数据项: 值」的映射")
            continue
        out[str(unit)] = {str(k): _value(ind, str(k), v, f"指标「{code}」units「{unit}」数据项「{k}」", problems)
                          for k, v in values.items() if str(k) in declared}
        problems += [f"指标「{code}」units「{unit}」没有数据项「{k}」" for k in values if str(k) not in declared]
    return out


def read_facts_file(path: str, scheme: Scheme) -> FactsFile:
    """Read and check a facts file against the scheme; raises FactsFileError when unusable."""
    data = _load(path)
    codes = [k for k in data if not k.startswith("_")]
    unknown = [k for k in codes if scheme.indicator(k) is None]
    if codes and len(unknown) == len(codes):
        raise FactsFileError([f"事实文件中没有「{scheme.id}」的指标编号（{'、'.join(unknown[:5])}…）。"
                              f"文件应为「指标编号: {{数据项: 值}}」，不按单位分组。"])
    out = FactsFile({k: v for k, v in data.items() if k.startswith("_")})
    out.warnings += [f"方案中没有指标「{k}」，已忽略" for k in unknown]
    problems: list[str] = []
    for code in codes:
        ind, entry = scheme.indicator(code), data[code]
        if ind is None or not isinstance(entry, dict):
            continue
        declared = {m.name for m in ind.metrics}
        values: dict[str, Any] = {}
        for name, raw in entry.items():
            name = str(name)
            if name in _RANK_KEYS:
                continue
            if name == "units":  # an item scored per unit: each unit's own figures
                values["_units"] = _unit_entries(ind, entry[name], problems)
                continue
            if name.startswith("_"):
                values[name] = raw
            elif name not in declared:
                out.warnings.append(f"指标「{code}」没有数据项「{name}」，已忽略")
            else:
                values[name] = _value(ind, name, raw, f"指标「{code}」数据项「{name}」", problems)
        _rank_entries(ind, entry, out, problems)
        out.facts[code] = values
    if problems:
        raise FactsFileError(problems)
    return out
