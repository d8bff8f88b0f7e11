"""Chinese numerals as people write them: 二十, 十二, 两, 二〇二二, 一千零五, 一点五, 负十.

The one reader the chat, the period parser and the scheme readers share. cn2an does the reading;
what is ours is which of its modes a caller wants (a whole number or any number), the lone
units a scheme's text may count in (每百人: 百), and one error type: a `ValueError` naming what
was typed.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = ["CN_DIGITS", "CN_INT", "read_int", "read_number", "write_int"]

#: The characters of a Chinese numeral, for a regex class: [一二…十百千万亿点负…].
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿点负壹贰叁肆伍陆柒捌玖拾佰仟"
#: A regex for a whole number in Chinese characters (no 点 or 负): 八, 十二, 二十, 一千零五.
CN_INT = "[零〇一二两三四五六七八九十百千万亿]+"

# cn2an reads 十 alone as 10 but refuses 百/千/万 alone, which schemes write (每百人).
_LONE_UNITS = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def read_number(text: str) -> Decimal:
    """An Arabic or Chinese number (12, １２, 1.5, 二十, 一点五, 负十, 三十五万), else ValueError."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    if re.fullmatch(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)", t):
        return Decimal(t)
    if t and all(c in CN_DIGITS or c.isdigit() or c == "." for c in t):
        # cn2an is imported at the first Chinese numeral, not with this module: its import
        # compiles its patterns (a few hundred ms), which every process would otherwise pay at
        # start (`creditbot serve` before it answers, every command) though most read none.
        import cn2an
        try:
            return Decimal(str(cn2an.cn2an(t, "smart")))
        except (ValueError, KeyError, IndexError, InvalidOperation):
            pass
    raise ValueError(f"「{text}」不是有效的数字")


def read_int(text: str, lone_units: bool = False) -> int:
    """A whole number written in Arabic or Chinese digits (8, 十二, 二十, 两, 二〇一九), else
    ValueError: 二十 is 20, never a guess. With `lone_units`, 百/千/万/亿 alone count too (a
    scheme's 每百人; nobody types 百 for a figure in chat)."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    if lone_units and t in _LONE_UNITS:
        return _LONE_UNITS[t]
    value = read_number(t)
    if value != value.to_integral_value():
        raise ValueError(f"「{text}」不是整数")
    return int(value)


def write_int(n: int) -> str:
    """A whole number in Chinese characters, as a heading counts: 1 -> 一, 11 -> 十一."""
    import cn2an  # on first use, as in read_number
    return str(cn2an.an2cn(n))
