"""The ranking chart as a PNG for a Word document (Pillow): horizontal bars, one per unit in
rank order, coloured by band as the console colours them, the total at the end of each bar.

Word cannot take the console's inline SVG, so the document gets a raster of the same chart.
Chinese names need a CJK font on the server (fonts-noto-cjk, as the console's screenshots
do); `cjk_font()` finds one through fontconfig or the usual folders, and without one the
document says the chart was left out rather than printing boxes.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw, ImageFont

__all__ = ["BAND_COLOURS", "band_colour", "cjk_font", "ranking_png", "ROWS_PER_CHART"]

# Best band first, as console/charts.py: 优秀 green, 良好 blue, 一般 amber, 较差 red.
BAND_COLOURS = ("#2e7d32", "#1565c0", "#ef8f00", "#c62828", "#6d4c41", "#546e7a")
NO_BAND = "#9e9e9e"
ROWS_PER_CHART = 30  # one chart per page: 30 bars fill the text block of an A4 page legibly
_SCALE = 2  # drawn at twice the size, so it prints sharp at the page's width
_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"),
            "/System/Library/Fonts", "C:/Windows/Fonts")
_NAMES = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Regular.otf", "NotoSansSC-Regular.otf",
          "wqy-microhei.ttc", "wqy-zenhei.ttc", "SourceHanSansSC-Regular.otf", "simhei.ttf",
          "msyh.ttc", "PingFang.ttc", "simsun.ttc")


def band_colour(band: str | None, bands: Sequence[str]) -> str:
    if band is None or band not in bands:
        return NO_BAND
    return BAND_COLOURS[min(list(bands).index(band), len(BAND_COLOURS) - 1)]


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font file with Chinese glyphs, or None."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).exists() and _has_chinese(found):
            return found
    for folder in _FOLDERS:
        root = Path(folder)
        if not root.is_dir():
            continue
        for name in _NAMES:
            for hit in root.rglob(name):
                return str(hit)
    return None


def _has_chinese(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 20)
    except OSError:
        return False
    return font.getmask("信").getbbox() is not None and font.getlength("信") > 10


def ranking_png(rows: Sequence[tuple[str, Decimal | None, str]], top: Decimal | float,
                title: str, font_path: str) -> bytes:
    """One chart: (unit, total, colour) per row in rank order; the bar for `top` is full."""
    s = _SCALE
    label_w, bar_w, row_h, head_h, foot_h = 220 * s, 400 * s, 26 * s, 40 * s, 26 * s
    width = label_w + bar_w + 60 * s
    height = head_h + row_h * len(rows) + foot_h
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path, 15 * s)
    small = ImageFont.truetype(font_path, 13 * s)
    bold = ImageFont.truetype(font_path, 16 * s)
    draw.text((width // 2, 12 * s), title, fill="#222222", font=bold, anchor="mt")
    top_f = max(float(top or 0), 1.0)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_w + bar_w * tick
        draw.line([(x, head_h - 4 * s), (x, height - foot_h)], fill="#dddddd", width=s)
        draw.text((x, height - foot_h + 5 * s), f"{top_f * tick:g}", fill="#666666", font=small,
                  anchor="mt")
    for n, (unit, total, colour) in enumerate(rows):
        y = head_h + n * row_h
        name = unit if draw.textlength(unit, font=font) <= label_w - 12 * s else _cut(draw, unit, font, label_w - 12 * s)
        draw.text((label_w - 8 * s, y + row_h // 2), name, fill="#222222", font=font, anchor="rm")
        value = float(total) if total is not None else 0.0
        w = max(bar_w * value / top_f, 0)
        draw.rectangle([label_w, y + 4 * s, label_w + w, y + row_h - 4 * s], fill=colour)
        shown = "—" if total is None else f"{Decimal(str(total)).quantize(Decimal('0.01'))}"
        draw.text((label_w + w + 6 * s, y + row_h // 2), shown, fill="#222222", font=small,
                  anchor="lm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cut(draw: ImageDraw.ImageDraw, text: str, font, room: float) -> str:
    """A name longer than the label column, cut at the end with …; the full
    name is in the table beside the chart."""
    while text and draw.textlength(text + "…", font=font) > room:
        text = text[:-1]
    return text + "…"
