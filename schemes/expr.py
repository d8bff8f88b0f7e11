"""Safe arithmetic expressions over metric values (formulas are data in scheme files).

Parsing is checked with `ast` up front (so a scheme with a bad formula is refused at load time,
not when a rule is evaluated); evaluation is delegated to simpleeval with a closed set of
functions — never `eval`.
"""
from __future__ import annotations

import ast
import re
import threading
from functools import lru_cache
import math
from decimal import Decimal
from typing import Mapping

from simpleeval import SimpleEval

__all__ = ["ExprError", "MissingName", "names_in", "evaluate", "check_expr", "bar_gap", "in_words"]

_FUNCS = {"min": min, "max": max, "abs": abs, "round": round}
_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.Call,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Pow, ast.USub, ast.UAdd,
    ast.Compare, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq, ast.BoolOp, ast.And,
    ast.Or, ast.Not, ast.IfExp,
)


class ExprError(ValueError):
    """A formula that cannot be parsed or evaluated."""


class MissingName(ExprError):
    """The formula reads a metric that has no value yet."""

    def __init__(self, name: str):
        super().__init__(f"缺少数据：{name}")
        self.name = name


def check_expr(expr: str) -> ast.Expression:
    """Parse `expr` and refuse anything but arithmetic, comparisons and min/max/abs/round."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"公式无法解析：{expr!r}（{exc.msg}）") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExprError(f"公式含不允许的写法 {type(node).__name__}：{expr!r}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS or node.keywords:
                raise ExprError(f"公式只能调用 min/max/abs/round：{expr!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, bool)):
            raise ExprError(f"公式只能含数字常量：{expr!r}")
        if (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Mod))
                and isinstance(node.right, ast.Constant) and node.right.value == 0):
            raise ExprError(f"公式除以0：{expr!r}")
    return tree


def names_in(expr: str) -> set[str]:
    """The metric names a formula reads."""
    return set(_compiled(expr)[1])


@lru_cache(maxsize=4096)
def _checked(expr: str) -> ast.Expression:
    """check_expr once per formula text: explanations say a formula in words at every scoring,
    and the tree is only read."""
    return check_expr(expr)


@lru_cache(maxsize=4096)
def _compiled(expr: str) -> tuple[object, tuple[str, ...]]:
    """Checked once per formula text: simpleeval's parsed form and the names it reads."""
    tree = _checked(expr)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = tuple(dict.fromkeys(n.id for n in ast.walk(tree)
                                if isinstance(n, ast.Name) and id(n) not in called))
    return SimpleEval.parse(expr.strip()), names


def _number(v: object) -> object:
    """Numbers as float; numeric text as typed in chat ("45", "3%", "1,200") too; else as is."""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    if isinstance(v, str):
        t = v.strip().replace(",", "").replace("，", "")
        scale = 1.0
        if t.endswith(("%", "％")):
            t, scale = t[:-1], 0.01
        try:
            f = float(Decimal(t)) * scale
        except ArithmeticError:
            return v
        return f if math.isfinite(f) else v
    return v


_local = threading.local()


def _evaluator() -> SimpleEval:
    """One evaluator per thread: building a SimpleEval costs more than evaluating with it."""
    ev = getattr(_local, "evaluator", None)
    if ev is None:
        ev = _local.evaluator = SimpleEval(functions=_FUNCS)
    return ev


def evaluate(expr: str, values: Mapping[str, object]) -> float:
    """Evaluate with float arithmetic; division by zero becomes ExprError (the card says why)."""
    parsed, reads = _compiled(expr)
    for name in reads:
        if name not in values:
            raise MissingName(name)
    evaluator = _evaluator()
    evaluator.names = {k: _number(values[k]) for k in reads}
    try:
        result = evaluator.eval(expr, previously_parsed=parsed)
    except ZeroDivisionError:
        raise ExprError("分母为0") from None
    except Exception as exc:  # simpleeval raises several types for bad names/operands
        raise ExprError(f"公式计算失败：{exc}") from None
    if isinstance(result, bool):
        return 1.0 if result else 0.0
    if not isinstance(result, (int, float)):
        raise ExprError(f"公式结果不是数字：{expr!r}")
    return float(result)


_GAP = re.compile(r"(?P<bar>\d+(?:\.\d+)?) - (?P<below>[A-Za-z_]\w*)|(?P<above>[A-Za-z_]\w*)(?: - (?P<bar2>\d+(?:\.\d+)?))?")


def bar_gap(expr: str) -> tuple[str, Decimal, bool] | None:
    """How far a metric is from a bar, as the rule reader writes it for 每低1个百分点扣1分:
    '0.95 - rate' -> ('rate', 0.95, True) (below), 'rate - 0.02' -> ('rate', 0.02, False),
    'rate' -> ('rate', 0, False); any other expression -> None."""
    m = _GAP.fullmatch(expr.strip())
    if not m:
        return None
    return (m.group("below") or m.group("above"), Decimal(m.group("bar") or m.group("bar2") or 0),
            bool(m.group("below")))


# ---- a formula in words ------------------------------------------------------------------------
# Explanations are read on a phone by people who never saw the scheme file: a formula is shown
# over the metrics' labels with the signs printed documents use (水电气记录数 ÷ 企业数), never
# over the names the file gives them (water_records / enterprises).

_BIN = {ast.Add: ("+", 5), ast.Sub: ("−", 5), ast.Mult: ("×", 6), ast.Div: ("÷", 6),
        ast.Mod: ("除以", 6), ast.Pow: ("^", 8)}
_CMP = {ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥", ast.Eq: "=", ast.NotEq: "≠"}


def _num_words(v: object) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    text = format(Decimal(repr(v)).normalize(), "f") if isinstance(v, float) else str(v)
    return text


def _words(node: ast.AST, names: Mapping[str, str]) -> tuple[str, int]:
    """(text, precedence) of one node; a child of lower precedence gets brackets."""
    def sub(n: ast.AST, least: int) -> str:
        text, prec = _words(n, names)
        return f"({text})" if prec < least else text

    if isinstance(node, ast.Expression):
        return _words(node.body, names)
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id), 9
    if isinstance(node, ast.Constant):
        return _num_words(node.value), 9
    if isinstance(node, ast.BinOp):
        sign, prec = _BIN[type(node.op)]
        left, right = sub(node.left, prec), sub(node.right, prec + 1)
        if isinstance(node.op, ast.Mod):
            return f"{left}除以{right}的余数", prec
        return f"{left} {sign} {right}", prec
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return f"并非{sub(node.operand, 3)}", 3
        return ("−" if isinstance(node.op, ast.USub) else "+") + sub(node.operand, 7), 7
    if isinstance(node, ast.BoolOp):
        joint = "且" if isinstance(node.op, ast.And) else "或"
        prec = 2 if isinstance(node.op, ast.And) else 1
        return joint.join(sub(v, prec + 1) for v in node.values), prec
    if isinstance(node, ast.Compare):
        bits = [sub(node.left, 5)]
        for op, operand in zip(node.ops, node.comparators):
            bits += [_CMP[type(op)], sub(operand, 5)]
        return " ".join(bits), 4
    if isinstance(node, ast.IfExp):
        return (f"若{sub(node.test, 1)}则为{sub(node.body, 1)}，否则为{sub(node.orelse, 1)}", 0)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [sub(a, 1) for a in node.args]
        fn = node.func.id
        if fn in ("min", "max"):
            consts = [a for a in node.args if isinstance(a, ast.Constant)]
            if len(node.args) == 2 and len(consts) == 1:  # min(fields, 3): a cap on one figure
                other = sub(next(a for a in node.args if a is not consts[0]), 9)
                bound = "最多" if fn == "min" else "至少"
                return f"{other}（{bound}按{_num_words(consts[0].value)}计）", 9
            pick = "较小者" if fn == "min" else "较大者"
            return f"{'与'.join(args)}中的{pick}", 4
        if fn == "abs":
            return f"|{args[0]}|", 9
        # round(x, 6) only keeps float noise out of a comparison: not worth saying
        return (args[0], _words(node.args[0], names)[1]) if len(args) > 1 else (f"{args[0]}（取整）", 9)
    raise ExprError(f"公式含不允许的写法 {type(node).__name__}")


def in_words(expr: str, names: Mapping[str, str]) -> str:
    """The formula as people read it: each name as `names` spells it (a metric's label), × ÷ −
    for * / -, 且/或 for and/or, 较小者/较大者 for min/max (「水电气记录数 ÷ 企业数」)."""
    return _words(_checked(expr), names)[0]
