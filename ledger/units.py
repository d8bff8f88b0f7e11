"""Units (市直成员单位 / 县（市、区）) and members (联络员, 信用办 staff, admins)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, dumps, first_row, immediate, inserted_id, loads, now_iso
from ledger.office import KIND_ZH, unit_kinds
from ledger.userids import CHANNELS, USER_ID_RULE, channel_family, check_user_id, is_user_id
from worktime.clock import shanghai_now

__all__ = ["Unit", "Member", "add_unit", "list_units", "get_unit", "find_unit", "add_member",
           "find_member", "still_bound", "list_members", "liaisons_of", "import_units", "set_deputy", "set_aliases",
           "pause_unit", "set_group", "scope_members", "unscoped_members", "ROLES", "KINDS",
           "KIND_WORDS", "kind_of"]

ROLES = ("liaison", "staff", "admin")
KINDS = ("department", "county", "city")
ROLE_ZH = {"liaison": "联络员", "staff": "信用办工作人员", "admin": "管理员"}


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    paused_until: str | None = None
    group_webhook: str | None = None
    group_channel: str | None = None
    mention_in_group: bool = True
    group_secret: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases),
                "paused_until": self.paused_until}


@dataclass(frozen=True)
class Member:
    id: int
    user_id: str
    channel: str
    name: str
    role: str
    unit_id: int | None
    deputy_user_id: str | None = None
    deputy_until: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @property
    def role_zh(self) -> str:
        return ROLE_ZH[self.role]


def _unit(row: dict) -> Unit:
    return Unit(row["id"], row["name"], row["kind"], tuple(loads(row["aliases"], [])),
                row["paused_until"], row["group_webhook"], row["group_channel"],
                bool(row["mention_in_group"]), row.get("group_secret"))


def _member(row: dict) -> Member:
    return Member(row["id"], row["user_id"], row["channel"], row["name"], row["role"],
                  row["unit_id"], row["deputy_user_id"], row["deputy_until"])


def add_unit(db: sqlite_utils.Database, name: str, kind: str = "department",
             aliases: list[str] | None = None, now: datetime | None = None,
             actor: str = "cli", group_webhook: str | None = None,
             group_channel: str | None = None) -> Unit:
    name = name.strip()
    if not name:
        raise LedgerError("单位名称不能为空")
    if kind not in KINDS:
        raise LedgerError(f"单位类型应为 {'/'.join(KINDS)}，收到：{kind}")
    now = now or shanghai_now()
    with immediate(db):
        if db.execute("SELECT 1 FROM units WHERE name = ?", [name]).fetchone():
            raise LedgerError(f"单位「{name}」已存在")
        cur = db.execute(
            "INSERT INTO units(name, kind, aliases, group_webhook, group_channel, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [name, kind, dumps(aliases or []), group_webhook, group_channel, now_iso(now)])
        audit.log(db, now, actor, "unit.add", name, kind=kind, aliases=aliases or [])
        return get_unit(db, inserted_id(cur))


def get_unit(db: sqlite_utils.Database, unit_id: int) -> Unit:
    row = first_row(db, "SELECT * FROM units WHERE id = ?", [unit_id])
    if row is None:
        raise LedgerError(f"没有编号为 {unit_id} 的单位")
    return _unit(row)


def list_units(db: sqlite_utils.Database) -> list[Unit]:
    return [_unit(r) for r in db.query("SELECT * FROM units ORDER BY id")]


def find_unit(db: sqlite_utils.Database, text: str, loose: bool = True) -> Unit:
    """A unit by exact name, alias, or an unambiguous part of its name (`loose`: also a name
    contained in the text, as in 「市民政局的」)."""
    text = text.strip()
    units = list_units(db)
    exact = [u for u in units if u.name == text or text in u.aliases]
    if exact:
        return exact[0]
    part = [u for u in units if text and (text in u.name or any(text in a for a in u.aliases)
                                          or (loose and (u.name in text or any(
                                              len(a) >= 2 and a in text for a in u.aliases))))]
    if len(part) == 1:
        return part[0]
    if not part:
        raise LedgerError(f"没有找到单位「{text}」。发送「单位列表」查看全部单位。")
    names = "、".join(u.name for u in part[:8])
    raise LedgerError(f"「{text}」可能是：{names}。请写完整的单位名称。")


def _split_aliases(text: str) -> list[str]:
    return [a for a in re.split(r"[、,，;；/|\s]+", text or "") if a]


def set_aliases(db: sqlite_utils.Database, unit: Unit, aliases: list[str], now: datetime,
                actor: str = "cli") -> Unit:
    """Add short names (简称/别名) to a unit; one may not be (part of) another unit's name or
    one of its short names."""
    with immediate(db):
        for other in list_units(db):
            clash = [a for a in aliases if other.id != unit.id
                     and (a in other.name or a in other.aliases)]
            if clash:  # 民政局 as 发改委's short name would hide 市民政局
                raise LedgerError(f"简称「{clash[0]}」与{other.name}的名称或简称重合，会找错单位")
        merged = list(dict.fromkeys([*get_unit(db, unit.id).aliases, *aliases]))
        db.execute("UPDATE units SET aliases = ? WHERE id = ?", [dumps(merged), unit.id])
        audit.log(db, now, actor, "unit.aliases", unit.name, aliases=merged)
        return get_unit(db, unit.id)


def import_units(db: sqlite_utils.Database, path: str | Path, now: datetime | None = None,
                 actor: str = "cli", channel: str = "*") -> tuple[int, int]:
    """CSV with columns 单位/name, 类型/kind, 联络员/liaison, 用户ID/user_id, and optionally
    简称/别名/aliases (several separated by 、 or ;) (header row required).
    Returns (units added, liaisons added); existing units and members are kept, new short
    names are added to them."""
    now = now or shanghai_now()
    added_units = added_members = 0
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise LedgerError(f"{path}: 无法读取文件（{exc.strerror or exc}）") from None
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerError(f"{path}: 无法识别文件编码，请在 Excel 中另存为「CSV UTF-8」")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows:
        raise LedgerError(f"{path}: 文件为空或缺少表头（单位,类型,联络员,用户ID）")

    def col(row: dict, *names: str) -> str:
        for n in names:
            if row.get(n):
                return row[n].strip()
        return ""

    assessed = unit_kinds(db)
    seen_ids: dict[str, int] = {}
    with immediate(db):  # one bad line and nothing is imported
        for lineno, row in enumerate(rows, start=2):
            name = col(row, "单位", "name", "单位名称")
            if not name:
                raise LedgerError(f"{path}:{lineno} 缺少单位名称")
            written = col(row, "类型", "kind", "单位类型")
            try:
                kind = kind_of(written, assessed)
            except LedgerError as exc:
                raise LedgerError(f"{path}:{lineno} {exc}，本次未导入任何单位") from None
            if assessed is not None and kind not in assessed:
                raise LedgerError(
                    f"{path}:{lineno} 「{name}」是{KIND_ZH[kind]}，但本办没有考核{KIND_ZH[kind]}的方案"
                    f"（先运行 creditbot scheme add 方案编号），本次未导入任何单位")
            existing = db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()
            unit = get_unit(db, existing[0]) if existing else add_unit(
                db, name, kind, now=now, actor=actor)
            added_units += 0 if existing else 1
            # short names go through set_aliases, which refuses one that would find another unit
            aliases = _split_aliases(col(row, "简称", "别名", "aliases", "alias"))
            if aliases:
                try:
                    unit = set_aliases(db, unit, aliases, now, actor)
                except LedgerError as exc:
                    raise LedgerError(f"{path}:{lineno} {exc}") from None
            uid, lname = col(row, "用户ID", "user_id", "userid"), col(row, "联络员", "liaison")
            if uid in seen_ids:
                raise LedgerError(f"{path}:{lineno} 用户ID「{uid}」与第{seen_ids[uid]}行重复："
                                  f"一个人只能是一个单位的联络员")
            if uid:
                seen_ids[uid] = lineno
                if not is_user_id(uid):
                    raise LedgerError(f"{path}:{lineno} 用户ID「{uid[:70]}」无效：{USER_ID_RULE}")
                if not db.execute("SELECT 1 FROM members WHERE user_id = ? AND channel = ?",
                                  [uid, channel]).fetchone():
                    add_member(db, uid, lname or uid, "liaison", unit.id, channel=channel,
                               now=now, actor=actor)
                    added_members += 1
    return added_units, added_members


# The words people write in a 类型 column (Excel sheets from different offices differ).
KIND_WORDS = {
    "department": ("市直", "市直单位", "市直部门", "市直成员单位", "成员单位", "部门", "单位", "市级部门",
                   "department", "departments", "dept"),
    "county": ("县", "县区", "区县", "县（市、区）", "县(市、区)", "县(市,区)", "县市区", "县（市）区", "县市",
               "市辖区", "区", "县级市", "county", "counties"),
    "city": ("全市", "市级", "city"),
}
_KIND_OF_WORD = {w.lower(): k for k, words in KIND_WORDS.items() for w in words}


def kind_of(written: str, assessed: set[str] | None = None) -> str:
    """A unit kind from the word in a 类型 column; blank: the only kind the office assesses
    (else 市直). An unknown word is an error listing the accepted ones."""
    word = re.sub(r"\s+", "", written).lower()
    if not word:
        return next(iter(assessed)) if assessed and len(assessed) == 1 else "department"
    if word in _KIND_OF_WORD:
        return _KIND_OF_WORD[word]
    accepted = "；".join(f"{KIND_ZH[k]}：{'、'.join(w for w in ws if w.isascii() is False)}"
                        for k, ws in KIND_WORDS.items())
    raise LedgerError(f"无法识别的单位类型「{written}」。可写：{accepted}")


def add_member(db: sqlite_utils.Database, user_id: str, name: str, role: str,
               unit_id: int | None = None, channel: str = "*", now: datetime | None = None,
               actor: str = "cli") -> Member:
    if role not in ROLES:
        raise LedgerError(f"角色应为 liaison/staff/admin，收到：{role}")
    if role == "liaison" and unit_id is None:
        raise LedgerError("联络员必须属于一个单位（--unit）")
    user_id = check_user_id(user_id)
    if channel not in ("*",) + CHANNELS:
        raise LedgerError(f"渠道应为 {' 或 '.join(CHANNELS)}，收到：{channel}")
    now = now or shanghai_now()
    with immediate(db):
        _keep_an_admin(db, user_id, channel, role)
        db.execute(
            "INSERT INTO members(user_id, channel, name, role, unit_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id, channel) DO UPDATE SET "
            "name = excluded.name, role = excluded.role, unit_id = excluded.unit_id, active = 1",
            [user_id.strip(), channel, name, role, unit_id, now_iso(now)])
        audit.log(db, now, actor, "member.add", user_id, name=name, role=role, unit_id=unit_id,
                  channel=channel)
        row = list(db.query("SELECT * FROM members WHERE user_id = ? AND channel = ?",
                            [user_id.strip(), channel]))[0]
    return _member(row)


def _keep_an_admin(db: sqlite_utils.Database, user_id: str, channel: str, role: str) -> None:
    """The office must keep someone who can bind staff: the last admin cannot be demoted."""
    row = db.execute("SELECT role FROM members WHERE user_id = ? AND channel = ? AND active = 1",
                     [user_id, channel]).fetchone()
    if row is None or row[0] != "admin" or role == "admin":
        return
    admins = db.execute("SELECT COUNT(*) FROM members WHERE role = 'admin' AND active = 1"
                        ).fetchone()[0]
    if admins <= 1:
        raise LedgerError(f"{user_id} 是唯一的管理员，不能改为其他角色：请先添加另一位管理员。")


def find_member(db: sqlite_utils.Database, channel: str, user_id: str) -> Member | None:
    """The member bound to this sender on this channel. WeCom and DingTalk assign ids
    independently, so a binding on one never answers for the other, and an unscoped '*'
    binding answers for neither: scope_members pins those when a platform is configured, and
    with both platforms on, staff name the platform. The console (an operator on the server)
    sees every binding."""
    family = channel_family(channel)
    if family in CHANNELS:
        where, args = "channel = ?", [family]
    else:
        where, args = "1", []
    row = first_row(db, f"SELECT * FROM members WHERE user_id = ? AND active = 1 AND {where} "
                    "ORDER BY CASE channel WHEN '*' THEN 1 ELSE 0 END, id LIMIT 1", [user_id, *args])
    return _member(row) if row else None


def still_bound(db: sqlite_utils.Database, member_id: int | None, unit_id: int) -> bool:
    """Whether a link a member was given for a unit still speaks for them: a liaison's ends
    when they are rebound to another unit or unbound; staff keep theirs while active."""
    if member_id is None:
        return True
    row = db.execute("SELECT unit_id, active, role FROM members WHERE id = ?",
                     [member_id]).fetchone()
    return row is not None and bool(row[1]) and (row[0] == unit_id or row[2] != "liaison")


def scope_members(db: sqlite_utils.Database, channels: list[str], now: datetime,
                  actor: str = "system") -> int:
    """Pin unscoped ('*') bindings to a platform: to the one whose messages the person has
    sent, else to the only platform in use. With both platforms in use and no history the
    binding stays '*' and `unscoped_members` lists it for staff. Returns how many moved."""
    moved = 0
    with immediate(db):
        for row in list(db.query("SELECT id, user_id FROM members WHERE channel = '*'")):
            seen = {channel_family(c) for (c,) in db.execute(
                "SELECT DISTINCT channel FROM inbound WHERE sender = ?", [row["user_id"]])}
            seen &= set(CHANNELS)
            target = seen.pop() if len(seen) == 1 else (channels[0] if len(channels) == 1 else None)
            if target is None or db.execute("SELECT 1 FROM members WHERE user_id = ? AND channel = ?",
                                            [row["user_id"], target]).fetchone():
                continue
            db.execute("UPDATE members SET channel = ? WHERE id = ?", [target, row["id"]])
            audit.log(db, now, actor, "member.scope", row["user_id"], channel=target)
            moved += 1
    return moved


def unscoped_members(db: sqlite_utils.Database) -> list[Member]:
    return [_member(r) for r in db.query(
        "SELECT * FROM members WHERE channel = '*' AND active = 1 ORDER BY id")]


def list_members(db: sqlite_utils.Database, unit_id: int | None = None,
                 role: str | None = None) -> list[Member]:
    sql = "SELECT * FROM members WHERE active = 1"
    args: list[Any] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(unit_id)
    if role:
        sql += " AND role = ?"
        args.append(role)
    return [_member(r) for r in db.query(sql + " ORDER BY id", args)]


def liaisons_of(db: sqlite_utils.Database, unit_id: int, today: str | None = None) -> list[str]:
    """User ids to remind for a unit: its liaisons, or their deputies while they are on leave."""
    out: list[str] = []
    for m in list_members(db, unit_id, "liaison"):
        on_leave = m.deputy_user_id and (m.deputy_until is None or today is None
                                         or today <= m.deputy_until)
        uid = m.deputy_user_id if on_leave and m.deputy_user_id else m.user_id
        if uid not in out:
            out.append(uid)
    return out


def set_deputy(db: sqlite_utils.Database, member: Member, deputy_user_id: str | None,
               until: str | None, now: datetime, actor: str) -> None:
    if deputy_user_id is not None:
        deputy_user_id = check_user_id(deputy_user_id)
    with immediate(db):
        db.execute("UPDATE members SET deputy_user_id = ?, deputy_until = ? WHERE id = ?",
                   [deputy_user_id, until, member.id])
        audit.log(db, now, actor, "member.deputy", member.user_id, deputy=deputy_user_id,
                  until=until)


def set_group(db: sqlite_utils.Database, unit: Unit, webhook: str | None, channel: str | None,
              secret: str | None, mention: bool, now: datetime, actor: str) -> None:
    """The unit's group robot for reminders (@-mentions are a per-group setting)."""
    if channel not in (None, "wecom", "dingtalk"):
        raise LedgerError("群机器人渠道应为 wecom 或 dingtalk")
    with immediate(db):
        db.execute("UPDATE units SET group_webhook = ?, group_channel = ?, group_secret = ?, "
                   "mention_in_group = ? WHERE id = ?",
                   [webhook, channel, secret, int(mention), unit.id])
        audit.log(db, now, actor, "unit.group", unit.name, channel=channel, mention=mention,
                  webhook_set=bool(webhook))


def pause_unit(db: sqlite_utils.Database, unit: Unit, until: str | None, now: datetime,
               actor: str) -> None:
    with immediate(db):
        db.execute("UPDATE units SET paused_until = ? WHERE id = ?", [until, unit.id])
        audit.log(db, now, actor, "unit.pause_reminders", unit.name, until=until)
