"""Load and check scheme files: YAML -> `Scheme`, with errors that name file, line and path.

Two layers: pydantic checks the shape (unknown keys, wrong types, unknown rule kinds); then
`semantic_problems` checks what a shape cannot (totals add up, formulas parse and read only
declared metrics, codes are unique, links point somewhere).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from pydantic import ValidationError

from schemes.expr import ExprError, names_in
from schemes.model import (DataPath, Indicator, Metric, Part, Scheme, part_expressions,
                           part_metrics)

__all__ = ["SchemeError", "UnknownScheme", "Problem", "load_scheme", "load_text", "shipped_schemes",
           "scheme_by_id", "SCHEME_DIR", "UNRESOLVED", "semantic_problems"]

SCHEME_DIR = Path(__file__).resolve().parent

# libyaml's parser where PyYAML has it: ten times faster than the pure-Python one, and the
# shipped schemes are read at every start (each `creditbot` command, each server). Both build
# the same nodes and values; a text libyaml refuses is read again by the pure-Python parser,
# whose messages and line numbers are the ones staff are shown.
_LOADERS: tuple[type[yaml.SafeLoader] | type[yaml.CSafeLoader], ...] = (
    (yaml.CSafeLoader, yaml.SafeLoader) if yaml.__with_libyaml__ else (yaml.SafeLoader,))


@dataclass(frozen=True)
class Problem:
    path: DataPath
    message: str

    def where(self) -> str:
        out = ""
        for p in self.path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        return out


class SchemeError(ValueError):
    """A scheme file that cannot be used; `lines` are `file:line path: message` strings."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class UnknownScheme(SchemeError):
    """No shipped scheme has this id; the one line lists those that do."""


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """YAML text -> its node tree (for lines) and its data."""
    for loader in _LOADERS[:-1]:
        try:
            return _read(text, loader)
        except yaml.YAMLError:
            pass
    return _read(text, _LOADERS[-1])


_MERGE = "tag:yaml.org,2002:merge"


def _read(text: str, loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data built from it, from one parse (as yaml.load builds it). A `<<:`
    merge key is folded into the nodes while the data is built, and the nodes must stay as
    written (lines, duplicate keys): then the data is read from a second parse."""
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None, None
        if _merges(node):
            return node, yaml.load(text, Loader=loader)
        return node, reader.construct_document(node)
    finally:
        reader.dispose()


def _merges(node: yaml.Node, seen: set[int] | None = None) -> bool:
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias: the same node again
        return False
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        return any(key.tag == _MERGE or _merges(value, seen) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return any(_merges(item, seen) for item in node.value)
    return False


def _line_table(node: yaml.Node, path: DataPath = (),
                table: dict[DataPath, int] | None = None) -> dict[DataPath, int]:
    """Map every data path to the 1-based line of its YAML node."""
    table = {} if table is None else table
    table[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value
            table[path + (k,)] = key.start_mark.line + 1
            _line_table(value, path + (k,), table)
            table[path + (k,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_table(item, path + (i,), table)
    return table


def _duplicate_keys(node: yaml.Node, path: DataPath = ()) -> list[Problem]:
    """YAML lets a later `id:` silently replace an earlier one; a scheme file may not."""
    out: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                out.append(Problem(path + (key.value,), f"字段「{key.value}」重复出现"))
            seen.add(key.value)
            out += _duplicate_keys(value, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _duplicate_keys(item, path + (i,))
    return out


UNRESOLVED = "待确认"


def _unresolved(node: yaml.Node, path: DataPath = ()) -> list[tuple[int, DataPath, str]]:
    """`待确认: reason` keys left by `scheme draft`: staff must resolve each before it counts."""
    out: list[tuple[int, DataPath, str]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == UNRESOLVED:
                reason = value.value if isinstance(value, yaml.ScalarNode) else ""
                out.append((key.start_mark.line + 1, path, str(reason)))
            else:
                out += _unresolved(value, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _unresolved(item, path + (i,))
    return out


def _dup_line(node: yaml.Node, path: DataPath) -> int:
    """The line of the last occurrence of a duplicated key (the table keeps only one)."""
    for step in path[:-1]:
        if isinstance(node, yaml.MappingNode):
            node = next(v for k, v in node.value if k.value == step)
        else:
            node = node.value[step]
    last: yaml.Node = [k for k, _ in node.value if k.value == path[-1]][-1]
    return last.start_mark.line + 1


def _line_for(table: dict[DataPath, int], path: DataPath) -> int:
    while path and path not in table:
        path = path[:-1]
    return table.get(path, 1)


def _format(name: str, table: dict[DataPath, int], problems: Iterable[Problem],
            locate: Callable[[DataPath], str] | None = None) -> list[str]:
    if locate is not None:  # text made from another file (a workbook): name that file's rows
        return [f"{locate(p.path)}: {p.message}" for p in problems]
    return [f"{name}:{_line_for(table, p.path)} {p.where() or '(根)'}: {p.message}"
            for p in problems]


_PYDANTIC_ZH = {
    "extra_forbidden": "未知字段（拼写错误？）",
    "missing": "缺少必填字段",
    "union_tag_invalid": "未知的规则类型 kind",
    "union_tag_not_found": "规则缺少 kind",
    "greater_than_equal": "不能为负数",
    "greater_than": "必须大于0",
    "decimal_parsing": "应为数字",
    "int_parsing": "应为整数",
    "bool_parsing": "应为 true/false",
    "literal_error": "取值不在可选范围内",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "too_short": "不能为空",
    "string_pattern_mismatch": "格式不符（只能用小写字母、数字和连字符）",
    "less_than_equal": "超出允许的最大值",
    "less_than": "超出允许的范围",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "model_type": "应为 {键: 值} 形式",
    "dict_type": "应为 {键: 值} 形式",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "missing_argument": "缺少必填字段",
}


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # Discriminated unions insert the tag name into loc; drop it to match the YAML path.
        loc = tuple(p for p in loc if p not in {"checklist", "per_item", "formula", "piecewise",
                                                 "bands", "rank", "deduction", "discretionary",
                                                 "pass_fail", "task"})
        msg = _PYDANTIC_ZH.get(err["type"], err["msg"].removeprefix("Value error, "))
        if err["type"] == "literal_error" and "expected" in (err.get("ctx") or {}):
            msg += f"（可选：{err['ctx']['expected']}）"
        if err["type"] == "union_tag_invalid":
            msg += "（可选：checklist, per_item, formula, piecewise, bands, rank, deduction, " \
                   "discretionary, pass_fail, task）"
        out.append(Problem(loc, msg))
    return out


def _reads(part: Part) -> list[tuple[DataPath, set[str] | ExprError]]:
    """What each field of a rule part reads, by sub-path, so an error points at its line."""
    out: list[tuple[DataPath, set[str] | ExprError]] = []
    for sub, text, local in part_expressions(part):
        try:
            out.append((sub, names_in(text) - local))
        except ExprError as exc:
            out.append((sub, exc))
    out += [(sub, {name}) for sub, name in part_metrics(part)]
    return out


def _range_problems(m: Metric, path: DataPath) -> list[Problem]:
    """A metric's declared range must fit its type (the order is checked by the model)."""
    given = [(k, getattr(m, k)) for k in ("min", "max") if k in m.model_fields_set]
    if m.type in ("bool", "text") and given:
        return [Problem(path + (given[0][0],), f"{m.type} 类型的指标项不能设取值范围")]
    if m.type == "count":
        return [Problem(path + (k,), f"计数（count）的取值范围应为整数，收到 {v}")
                for k, v in given if v is not None and v != v.to_integral_value()]
    return []


def _indicator_problems(ind: Indicator, path: DataPath) -> list[Problem]:
    out: list[Problem] = []
    declared = {m.name for m in ind.metrics}
    if len(declared) != len(ind.metrics):
        out.append(Problem(path + ("metrics",), "指标项名称重复"))
    for k, m in enumerate(ind.metrics):
        out += _range_problems(m, path + ("metrics", k))
    ids = [p.id or f"p{n + 1}" for n, p in enumerate(ind.parts)]
    if len(set(ids)) != len(ids):
        out.append(Problem(path + ("parts",), "分项 id 重复"))
    point_kinds = {p.kind for p in ind.parts} - {"pass_fail", "task"}
    if point_kinds and ind.max_points is None:
        out.append(Problem(path + ("max_points",), "计分指标必须给出分值 max_points"))
    for n, part in enumerate(ind.parts):
        ppath = path + ("parts", n)
        for sub, names in _reads(part):
            if isinstance(names, ExprError):
                out.append(Problem(ppath + sub, str(names)))
            elif names - declared:
                out.append(Problem(ppath + sub, f"规则读取了未声明的指标项："
                                                f"{', '.join(sorted(names - declared))}"
                                                f"（请在 metrics 中声明）"))
        for req in part.requires:
            if req not in ids:
                out.append(Problem(ppath + ("requires",), f"关联的分项 {req} 不存在"))
        if (part.max_points is not None and ind.max_points is not None
                and part.max_points > ind.max_points and part.kind != "deduction"):
            out.append(Problem(ppath + ("max_points",),
                               f"分项分值 {part.max_points} 超过指标分值 {ind.max_points}"))
    frequency = ind.due.frequency if ind.due is not None else None
    periodic = frequency in ("monthly", "quarterly")
    for n, m in enumerate(ind.metrics):
        mpath = path + ("metrics", n)
        per_period = periodic or m.period in ("month", "quarter")
        if m.adds_up in ("sum", "max") and not per_period:
            out.append(Problem(mpath + ("adds_up",),
                               f"数据项 {m.name} 按年度报送，没有可累加的各期数据"
                               f"（按月报送请写 period: month）"))
        if m.adds_up in ("sum", "max") and m.type in ("bool", "text"):
            out.append(Problem(mpath + ("adds_up",), f"{m.type} 类型的数据项不能按 {m.adds_up} 汇总"
                                                     f"（只能 latest）"))
        if m.adds_up == "sum" and m.type in ("percent", "ratio"):
            out.append(Problem(mpath + ("adds_up",), "比率不能逐期相加：请用 latest 或 max"))
        if m.by_office and m.default is None:
            out.append(Problem(mpath + ("entered_by",),
                               f"指标 {ind.code}「{ind.name}」的数据项 {m.name}（{m.label}）由信用办录入，"
                               f"须写明信用办录入之前按什么计分：default（如未发现瞒报写 default: 0）"))
        if m.period in ("month", "quarter") and m.derived:
            out.append(Problem(mpath + ("period",), "自动统计的数据项不按期报送"))
        if m.period in ("month", "quarter") and periodic and \
                m.period != {"monthly": "month", "quarterly": "quarter"}.get(frequency or ""):
            out.append(Problem(mpath + ("period",), "数据项的报送周期与指标的截止周期（due）不一致"))
    if len({m.period for m in ind.metrics if m.period in ("month", "quarter")}) > 1:
        out.append(Problem(path + ("metrics",), "同一指标的数据项只能按同一种周期报送"))
    if ind.gate and ind.gate.metric not in declared:
        out.append(Problem(path + ("gate", "metric"), f"门槛读取了未声明的指标项 {ind.gate.metric}"))
    if ind.applies:
        try:
            missing = names_in(ind.applies.expr) - declared
        except ExprError as exc:
            out.append(Problem(path + ("applies", "expr"), str(exc)))
        else:
            if missing:
                out.append(Problem(path + ("applies", "expr"),
                                   f"适用条件读取了未声明的指标项：{', '.join(sorted(missing))}"))
    return out


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v or Decimal(0) for v in values), Decimal(0))


def _per_unit_problems(scheme: Scheme, ind: Indicator, path: DataPath) -> list[Problem]:
    """分别计分 needs a city scheme (a unit-level scheme scores every unit separately anyway),
    units named to score, and no gate or transfer (those speak of the city as one)."""
    if ind.per_unit is None:
        return []
    where = path + ("per_unit",)
    if scheme.audience != "city":
        return [Problem(where, "per_unit（各责任单位分别计分）只用于全市评估的方案（audience: city）")]
    if not (ind.lead or ind.responsible):
        return [Problem(where, "分别计分的指标须列出牵头/责任单位（lead / responsible）")]
    if ind.gate is not None or ind.applies is not None:
        return [Problem(where, "分别计分的指标不能同时是门槛（gate）或设适用条件（applies）")]
    return []


def semantic_problems(scheme: Scheme) -> list[Problem]:
    """Everything the shape cannot check: totals, unique codes, formulas, links."""
    out: list[Problem] = []
    seen: dict[str, DataPath] = {}
    base_sum = Decimal(0)
    for ci, cat in enumerate(scheme.categories):
        cpath = ("categories", ci)
        for ii, ind in enumerate(cat.indicators):
            ipath = cpath + ("indicators", ii)
            if ind.code in seen:
                out.append(Problem(ipath + ("code",), f"指标编号 {ind.code} 重复"))
            seen[ind.code] = ipath
            out += _indicator_problems(ind, ipath)
            if cat.section == "deduction" and any(p.kind != "deduction" for p in ind.parts):
                out.append(Problem(ipath, "扣分类别中的指标只能使用 deduction 规则"))
            if scheme.base_total is None and ind.max_points not in (None, Decimal(0)):
                out.append(Problem(ipath + ("max_points",), "无总分的方案（任务清单）不应设分值"))
            out += _per_unit_problems(scheme, ind, ipath)
        ind_sum = _sum(i.max_points for i in cat.indicators)
        if cat.max_points is not None and cat.section in ("base", "bonus") \
                and ind_sum != cat.max_points:
            out.append(Problem(cpath + ("max_points",),
                               f"类别「{cat.name}」分值 {cat.max_points} 与其指标分值合计 {ind_sum} 不符"))
        if cat.section == "base":
            base_sum += cat.max_points if cat.max_points is not None else ind_sum
    if scheme.base_total is not None and base_sum != scheme.base_total:
        out.append(Problem(("base_total",),
                           f"基础分合计 {base_sum} 与声明的总分 {scheme.base_total} 不符"))
    for ci, cat in enumerate(scheme.categories):
        for ii, ind in enumerate(cat.indicators):
            if ind.applies and ind.applies.transfer_to and ind.applies.transfer_to not in seen:
                out.append(Problem(("categories", ci, "indicators", ii, "applies", "transfer_to"),
                                   f"转移分值的目标指标 {ind.applies.transfer_to} 不存在"))
    mins = [b.min for b in scheme.bands]
    if mins != sorted(mins, reverse=True):
        out.append(Problem(("bands",), "等级须按分数线从高到低排列"))
    return out


def load_text(text: str, name: str = "<scheme>",
              locate: Callable[[DataPath], str] | None = None) -> Scheme:
    """Parse and check a scheme given as YAML text; raise SchemeError with file:line lines.

    `locate` maps a data path to where it came from, for text written from a workbook."""
    try:
        node, data = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise SchemeError([f"{name}:{line} YAML 格式错误：{getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(data, dict) or node is None:
        raise SchemeError([f"{name}:1 方案文件必须是一个 YAML 映射（key: value）"])
    table = _line_table(node)
    dups = _duplicate_keys(node)
    if dups:
        raise SchemeError([f"{name}:{_dup_line(node, p.path)} {p.where()}: {p.message}" for p in dups])
    todo = _unresolved(node)
    if todo:
        raise SchemeError([f"{name}:{line} {Problem(path, '').where() or '(根)'}: {UNRESOLVED}：{why}"
                           f"（核对后删除这一行）" for line, path, why in todo])
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as exc:
        raise SchemeError(_format(name, table, _pydantic_problems(exc), locate)) from None
    problems = semantic_problems(scheme)
    if problems:
        raise SchemeError(_format(name, table, problems, locate))
    return scheme


def load_scheme(path: str | Path) -> Scheme:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemeError([f"{path}:1 找不到文件"]) from None
    except UnicodeDecodeError:
        raise SchemeError([f"{path}:1 无法读取文件：不是 UTF-8 文本（方案文件应为 UTF-8 编码的 YAML）"]) from None
    except OSError as exc:
        raise SchemeError([f"{path}:1 无法读取文件：{exc.strerror or exc}"]) from None
    return load_text(text, str(path))


@lru_cache(maxsize=None)
def _shipped(directory: str) -> dict[str, Scheme]:
    out: dict[str, Scheme] = {}
    for f in sorted(Path(directory).glob("*.yaml")):
        s = _shipped_file(str(f))
        out[s.id] = s
    return out


@lru_cache(maxsize=None)
def _shipped_file(path: str) -> Scheme:
    """One shipped file, parsed once, the same object whether reached by id or in the list."""
    return load_scheme(path)


def shipped_schemes(directory: str | Path | None = None) -> dict[str, Scheme]:
    """All scheme files in the package (or `directory`), keyed by id; parsed once."""
    return _shipped(str(directory or SCHEME_DIR))


def scheme_by_id(scheme_id: str, directory: str | Path | None = None) -> Scheme:
    """A shipped scheme by id. Each file is named for its id (schemes/<id>.yaml), so that one
    file is read, not all seven: a process whose office runs one scheme (`creditbot serve`
    at its first message, any command) parses one. A file named otherwise is found by
    reading them all."""
    named = Path(directory or SCHEME_DIR) / f"{scheme_id}.yaml"
    if Path(scheme_id).name == scheme_id and named.is_file():
        found = _shipped_file(str(named))
        if found.id == scheme_id:
            return found
    schemes = shipped_schemes(directory)
    if scheme_id not in schemes:
        raise UnknownScheme([f"没有编号为 {scheme_id} 的方案；可选：{', '.join(schemes)}"])
    return schemes[scheme_id]
