"""The office: which schemes it runs and which assessment years are open.

One office may assess departments and counties under different schemes (吕梁 and 郑州 publish a
市直 and a 县 annex in one document) and, in January, two years at once (last year's final
filings, this year's first). An `Office` is one scheme in one year: what a scorecard, a ranking
or an export speaks of. A unit is assessed under the scheme whose audience matches its kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, immediate, now_iso, set_meta
from schemes.loader import UnknownScheme, load_scheme, load_text, scheme_by_id, shipped_schemes
from schemes.model import Scheme

__all__ = ["Office", "office", "offices", "office_for_kind", "init_office", "add_scheme",
           "office_schemes", "schemes_from_files", "scheme_years", "years", "open_years", "open_year", "close_year", "year_status",
           "KIND_OF_AUDIENCE", "KIND_ZH", "unit_kinds", "check_year_open"]

# Which unit kind each unit-level audience assesses (city schemes and work plans: every unit).
KIND_OF_AUDIENCE = {"departments": "department", "counties": "county"}
KIND_ZH = {"department": "市直单位", "county": "县（市、区）", "city": "市级"}


@dataclass(frozen=True)
class Office:
    scheme: Scheme
    year: int
    # Unit kinds this scheme assesses; None: every unit (a city scheme, a work plan, or the only
    # unit-level scheme of an office, as before several schemes existed).
    kinds: tuple[str, ...] | None = None
    # The office's open years when this was read (while two are open, a reply names its year).
    open_years: tuple[int, ...] = ()

    @property
    def city_level(self) -> bool:
        return self.scheme.audience == "city"

    def assesses(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@lru_cache(maxsize=16)
def _from_text(source: str, scheme_id: str) -> Scheme:
    """An installed copy is read once per text, not on every message (a replaced copy is new
    text, so it is read anew)."""
    return load_text(source, scheme_id)


def _load(scheme_id: str, source: str | None) -> Scheme:
    if source:
        return _from_text(source, scheme_id)
    try:
        return scheme_by_id(scheme_id)
    except UnknownScheme as exc:
        raise LedgerError(str(exc)) from None


def office_schemes(db: sqlite_utils.Database, year: int | None = None) -> list[Scheme]:
    """The office's schemes in the order they were added; with a year, those assessing it."""
    where, args = "", []
    if year is not None:
        where = " WHERE (first_year IS NULL OR first_year <= ?) AND (last_year IS NULL OR last_year >= ?)"
        args = [year, year]
    return [_load(sid, src) for sid, src in db.execute(
        f"SELECT scheme_id, source FROM office_schemes{where} ORDER BY rowid", args).fetchall()]


def schemes_from_files(db: sqlite_utils.Database) -> set[str]:
    """Ids of the office's schemes installed from a file (not shipped)."""
    return {sid for (sid,) in db.execute(
        "SELECT scheme_id FROM office_schemes WHERE source IS NOT NULL").fetchall()}


def scheme_years(db: sqlite_utils.Database) -> dict[str, tuple[int | None, int | None]]:
    """scheme id -> (first year, last year) it assesses; None: open-ended."""
    return {sid: (a, b) for sid, a, b in db.execute(
        "SELECT scheme_id, first_year, last_year FROM office_schemes").fetchall()}


def years(db: sqlite_utils.Database) -> list[tuple[int, str]]:
    """(year, 'open'|'closed'), oldest first."""
    return [(int(y), s) for y, s in
            db.execute("SELECT year, status FROM office_years ORDER BY year").fetchall()]


def open_years(db: sqlite_utils.Database) -> list[int]:
    return [y for y, s in years(db) if s == "open"]


def year_status(db: sqlite_utils.Database, year: int) -> str | None:
    row = db.execute("SELECT status FROM office_years WHERE year = ?", [year]).fetchone()
    return row[0] if row else None


def _not_ready() -> LedgerError:
    return LedgerError("尚未初始化考核方案：请先运行 creditbot init --scheme 方案编号 --year 年份")


def _kinds(scheme: Scheme, all_schemes: list[Scheme]) -> tuple[str, ...] | None:
    kind = KIND_OF_AUDIENCE.get(scheme.audience)
    unit_level = [s for s in all_schemes if s.audience in KIND_OF_AUDIENCE]
    if kind is None or len(unit_level) <= 1:
        return None
    return (kind,)


def offices(db: sqlite_utils.Database, year: int | None = None) -> list[Office]:
    """Every scheme of the office in `year` (default: the latest open year). Two queries: every
    message reads its office."""
    rows = db.execute("SELECT scheme_id, source, first_year, last_year FROM office_schemes "
                      "ORDER BY rowid").fetchall()
    if not rows:
        raise _not_ready()
    ys = years(db)
    if year is None:
        year = _default_year(ys)
    elif year not in {y for y, _ in ys}:
        known = "、".join(str(y) for y, _ in ys) or "无"
        raise LedgerError(f"没有 {year} 考核年度（已有：{known}）。开启新年度：creditbot year open {year}")
    schemes = [_load(sid, src) for sid, src, first, last in rows
               if (first is None or first <= year) and (last is None or last >= year)]
    if not schemes:
        raise LedgerError(f"{year} 年度没有考核方案：creditbot scheme add 方案 --from {year}")
    opened = tuple(y for y, s in ys if s == "open")
    return [Office(s, year, _kinds(s, schemes), opened) for s in schemes]


def _default_year(ys: list[tuple[int, str]]) -> int:
    if not ys:
        raise _not_ready()
    opened = [y for y, s in ys if s == "open"]
    return (opened or [ys[-1][0]])[-1]


def default_year(db: sqlite_utils.Database) -> int:
    """The latest open year (or, when all are closed, the latest year)."""
    return _default_year(years(db))


def office(db: sqlite_utils.Database, year: int | None = None) -> Office:
    """The office's first scheme (the one an unbound staff member sees first)."""
    return offices(db, year)[0]


def office_for_kind(db: sqlite_utils.Database, kind: str, year: int | None = None) -> Office:
    """The scheme a unit of this kind is assessed under."""
    offs = offices(db, year)
    for off in offs:
        if off.kinds is not None and kind in off.kinds:
            return off
    for off in offs:
        if off.kinds is None and (off.scheme.audience not in ("city", "tasks") or kind != "city"):
            return off
    return offs[0]


def unit_kinds(db: sqlite_utils.Database) -> set[str] | None:
    """Unit kinds some scheme of the office assesses; None when any kind is assessed."""
    schemes = office_schemes(db)
    if not schemes:
        return None
    out: set[str] = set()
    for s in schemes:
        if s.audience not in KIND_OF_AUDIENCE:
            return None
        out.add(KIND_OF_AUDIENCE[s.audience])
    return out


def _resolve(scheme: str) -> tuple[Scheme, str | None]:
    """A shipped scheme id, or a path to a YAML scheme file (checked as `scheme check` does;
    its text is kept in the ledger so the office runs without the file)."""
    if scheme.endswith((".yaml", ".yml")) or "/" in scheme or Path(scheme).is_file():
        path = Path(scheme)
        if not path.is_file():
            raise LedgerError(f"找不到方案文件 {scheme}")
        text = path.read_text(encoding="utf-8")
        loaded = load_scheme(path)  # raises SchemeError with file:line lines
        if loaded.id in shipped_schemes() and shipped_schemes()[loaded.id] != loaded:
            raise LedgerError(f"方案编号 {loaded.id} 与内置方案重复，请在文件中换一个 id")
        return loaded, text
    try:
        return scheme_by_id(scheme), None
    except UnknownScheme as exc:
        raise LedgerError(str(exc)) from None


def _runs_into(last_year: int | None, from_year: int | None) -> bool:
    """Whether a scheme used up to `last_year` (None: still in use) is used in `from_year` or
    later (None: now)."""
    return from_year is None or last_year is None or last_year >= from_year


def _end_before(db: sqlite_utils.Database, scheme_id: str, first_year: int | None,
                from_year: int) -> None:
    """Use `scheme_id` up to the year before `from_year`, when no closed or earlier-starting
    year stands in the way."""
    closed = [y for y in _closed_years(db, scheme_id) if y >= from_year]
    if closed:
        raise LedgerError(f"{'、'.join(map(str, closed))} 年度已关闭，结果已定稿，"
                          f"新方案只能从以后的年度起使用（--from {max(closed) + 1}）")
    if first_year is not None and first_year >= from_year:
        raise LedgerError(f"方案 {scheme_id} 从 {first_year} 年度才开始使用，"
                          f"不能从 {from_year} 年起替换它")
    db.execute("UPDATE office_schemes SET last_year = ? WHERE scheme_id = ?",
               [from_year - 1, scheme_id])


def _closed_years(db: sqlite_utils.Database, scheme_id: str) -> list[int]:
    """Closed years a scheme assessed: their results are final, so its copy stays as it was."""
    span = scheme_years(db).get(scheme_id, (None, None))
    return [y for y, st in years(db) if st == "closed"
            and (span[0] is None or span[0] <= y) and (span[1] is None or y <= span[1])]


def add_scheme(db: sqlite_utils.Database, scheme: str, now: datetime,
               actor: str = "cli", from_year: int | None = None) -> Scheme:
    """Install a scheme (shipped id or YAML file) into the office. Two unit-level schemes may
    not assess the same kind of unit in one year, or a unit would have two scores: with
    `from_year`, the new scheme takes over that kind from that year on, and the one it replaces
    keeps the years before (a closed year is never rescored)."""
    loaded, source = _resolve(scheme)
    with immediate(db):
        current = office_schemes(db)
        spans = scheme_years(db)
        if any(s.id == loaded.id for s in current):
            if source is None:
                raise LedgerError(f"方案 {loaded.id} 已在本办使用")
            closed = _closed_years(db, loaded.id)
            if closed:
                raise LedgerError(
                    f"方案 {loaded.id} 已用于已关闭的 {'、'.join(map(str, closed))} 年度，结果已定稿，"
                    f"不能再改这份方案。修正后的方案请换一个 id，并用 --from 年份 从以后的年度起使用")
            # a corrected file replaces the installed copy
            db.execute("UPDATE office_schemes SET source = ? WHERE scheme_id = ?",
                       [source, loaded.id])
        else:
            kind = KIND_OF_AUDIENCE.get(loaded.audience)
            clash = [s for s in current if kind is not None and KIND_OF_AUDIENCE.get(s.audience) == kind
                     and _runs_into(spans[s.id][1], from_year)]
            if clash and kind is not None and from_year is None:
                raise LedgerError(f"本办已有考核{KIND_ZH[kind]}的方案 {clash[0].id}，"
                                  f"同一类单位只能按一个方案考核")
            if from_year is not None:  # without one, a clash was refused above
                for old in clash:
                    _end_before(db, old.id, spans[old.id][0], from_year)
            db.execute("INSERT INTO office_schemes(scheme_id, source, added_at, first_year) "
                       "VALUES (?, ?, ?, ?)", [loaded.id, source, now_iso(now), from_year])
        if len(current) == 0:
            set_meta(db, "scheme_id", loaded.id)
        # a running server caches scorecards per data version: a replaced copy must not be
        # answered from cards scored under the old one
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
        audit.log(db, now, actor, "office.scheme_add", loaded.id, from_file=source is not None,
                  from_year=from_year)
    return loaded


def init_office(db: sqlite_utils.Database, scheme_id: str | list[str], year: int,
                now: datetime | None = None) -> Office:
    """Start an office (or restart it: the schemes are replaced) with `year` open."""
    now = now or datetime.now()
    ids = [scheme_id] if isinstance(scheme_id, str) else list(scheme_id)
    if not ids:
        raise LedgerError("请至少指定一个方案：--scheme 方案编号")
    with immediate(db):
        db.execute("DELETE FROM office_schemes")
        for sid in ids:
            add_scheme(db, sid, now)
        set_meta(db, "scheme_id", office_schemes(db)[0].id)
        set_meta(db, "year", str(year))
        db.execute("DELETE FROM office_years WHERE status = 'open'")  # a restart: this year only
        db.execute("INSERT OR IGNORE INTO office_years(year, opened_at) VALUES (?, ?)",
                   [year, now_iso(now)])
        db.execute("UPDATE office_years SET status = 'open', closed_at = NULL WHERE year = ?",
                   [year])
    return office(db, year)


def open_year(db: sqlite_utils.Database, year: int, now: datetime, actor: str = "cli") -> None:
    """Start the next assessment year; the previous one stays open until it is closed."""
    with immediate(db):
        status = year_status(db, year)
        if status == "open":
            raise LedgerError(f"{year} 考核年度已开启")
        if status == "closed":
            raise LedgerError(f"{year} 考核年度已关闭，结果为最终结果，不能重新开启")
        known = [y for y, _ in years(db)]
        if not known:
            raise _not_ready()
        if year <= max(known):
            raise LedgerError(f"只能开启 {max(known)} 年之后的年度")
        db.execute("INSERT INTO office_years(year, opened_at) VALUES (?, ?)", [year, now_iso(now)])
        set_meta(db, "year", str(year))
        audit.log(db, now, actor, "office.year_open", str(year))


def close_year(db: sqlite_utils.Database, year: int, now: datetime, actor: str = "cli") -> None:
    """Freeze a year: nothing more is filed, reviewed or adjusted for it; its results are final."""
    with immediate(db):
        status = year_status(db, year)
        if status is None:
            raise LedgerError(f"没有 {year} 考核年度")
        if status == "closed":
            raise LedgerError(f"{year} 考核年度已经关闭")
        if open_years(db) == [year]:
            raise LedgerError(f"{year} 是唯一开启的年度：请先开启下一年度（creditbot year open "
                              f"{year + 1}）再关闭")
        db.execute("UPDATE office_years SET status = 'closed', closed_at = ? WHERE year = ?",
                   [now_iso(now), year])
        # every unit's facts change (what waited for review is final now): cached cards and
        # the per-unit baselines are recomputed
        db.execute("UPDATE units SET facts_version = facts_version + 1")
        audit.log(db, now, actor, "office.year_close", str(year))


def check_year_open(db: sqlite_utils.Database, year: int) -> None:
    """Refuse a write into a closed (or unknown) year."""
    status = year_status(db, year)
    if status == "closed":
        raise LedgerError(f"{year} 考核年度已关闭，结果已定稿，不能再报送或修改。")
    if status is None:
        raise LedgerError(f"{year} 不是开启的考核年度（开启的年度：{'、'.join(map(str, open_years(db)))}）")


