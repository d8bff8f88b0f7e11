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
           "find_member", "still_bound", "list_members", "liaisons_of", "remove_member",
           "bindings_of", "find_binding", "member_names", "liaison_contacts",
           "staff_contacts", "by_channel", "reminder_binding", "ROLE_ZH", "CHANNEL_ZH", "import_units", "set_deputy", "set_aliases",
           "pause_unit", "set_group", "scope_members", "unscoped_members", "ROLES", "KINDS",
           "KIND_WORDS", "kind_of"]

ROLES = ("liaison", "staff", "admin")
KINDS = ("department", "county", "city")
ROLE_ZH = {"liaison": "联络员", "staff": "信用办工作人员", "admin": "管理员"}
CHANNEL_ZH = {"wecom": "企业微信", "dingtalk": "钉钉", "*": "未指定平台"}


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
    person_id: int = 0  # the person this binding belongs to (see ledger.db migration notes)
    active: bool = True
    bound_at: str = ""

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
                  row["unit_id"], row["deputy_user_id"], row["deputy_until"],
                  row.get("person_id") or row["id"], bool(row.get("active", 1)),
                  row.get("bound_at") or row.get("created_at") or "")


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
                    # the unit's liaison of that name on the other platform: the same person
                    add_member(db, uid, lname or uid, "liaison", unit.id, channel=channel,
                               now=now, actor=actor, join_lookalike=True)
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
               actor: str = "cli", same_as: Member | None = None,
               join_lookalike: bool = False) -> Member:
    """Bind `user_id` on `channel` to a person. Binding again (same id, same platform) updates
    the person; an unscoped ('*') binding of the same id bound again with a platform is pinned
    to it (one row, one person). `same_as` binds a further platform id (or a new id on the
    same platform, which replaces the old one) to an existing person, who keeps their records
    and ownership. `join_lookalike`: a new id whose name, role and unit match someone bound on
    another platform is taken to be that person (staff entry points; they say so, and the CLI
    has --new-person for the rare namesake)."""
    if role not in ROLES:
        raise LedgerError(f"角色应为 liaison/staff/admin，收到：{role}")
    if role == "liaison" and unit_id is None:
        raise LedgerError("联络员必须属于一个单位（--unit）")
    user_id = check_user_id(user_id)
    if channel not in ("*",) + CHANNELS:
        raise LedgerError(f"渠道应为 {' 或 '.join(CHANNELS)}，收到：{channel}")
    now = now or shanghai_now()
    person: int | None
    with immediate(db):
        row = first_row(db, "SELECT * FROM members WHERE user_id = ? AND channel = ?",
                        [user_id, channel])
        if row is None and channel != "*":  # bound before per-platform scoping: pin that one
            row = first_row(db, "SELECT * FROM members WHERE user_id = ? AND channel = '*' "
                            "AND active = 1", [user_id])
            if row is not None and same_as is not None and row["person_id"] != same_as.person_id:
                row = None
        if same_as is not None:
            person = same_as.person_id
            if row is not None and row["person_id"] != person and row["active"]:
                raise LedgerError(f"{user_id} 已绑定为{row['name']}（{ROLE_ZH[row['role']]}），"
                                  f"不是{same_as.name}：请先解除该绑定（creditbot member remove）")
        elif row is not None:
            person = row["person_id"]
        else:
            same_as = _lookalike(db, name, role, unit_id, channel) if join_lookalike else None
            person = same_as.person_id if same_as is not None else None
        _keep_an_admin(db, person, role)
        if row is None:
            cur = db.execute(
                "INSERT INTO members(user_id, channel, name, role, unit_id, created_at, person_id, "
                "bound_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [user_id, channel, name, role, unit_id, now_iso(now), person, now_iso(now)])
            member_id = inserted_id(cur)
        else:
            member_id = row["id"]
            db.execute("UPDATE members SET channel = ?, active = 1, bound_at = ?, person_id = ? "
                       "WHERE id = ?", [channel, now_iso(now), person, member_id])
        person = db.execute("SELECT person_id FROM members WHERE id = ?", [member_id]).fetchone()[0]
        # one person, one name, role and unit, on every platform they are bound on
        db.execute("UPDATE members SET name = ?, role = ?, unit_id = ? WHERE person_id = ?",
                   [name, role, unit_id, person])
        if same_as is not None:  # one binding per platform: a new id there replaces the old
            db.execute("UPDATE members SET active = 0 WHERE person_id = ? AND id != ? AND active = 1 "
                       "AND channel = ?", [person, member_id, channel])
        audit.log(db, now, actor, "member.add", user_id, name=name, role=role, unit_id=unit_id,
                  channel=channel, **({"same_as": same_as.user_id} if same_as else {}))
        return _member(first_row(db, "SELECT * FROM members WHERE id = ?", [member_id]) or {})


def _lookalike(db: sqlite_utils.Database, name: str, role: str, unit_id: int | None,
              channel: str) -> Member | None:
    """Someone with this name, role and unit bound on another platform: most likely the same
    person, whose records and 撤销 a second identity would cut them off from."""
    row = first_row(db, "SELECT * FROM members WHERE name = ? AND role = ? AND unit_id IS ? "
                    "AND channel != ? AND active = 1 ORDER BY id LIMIT 1",
                    [name, role, unit_id, channel])
    return _member(row) if row is not None else None


def _keep_an_admin(db: sqlite_utils.Database, person_id: int | None, role: str) -> None:
    """The office must keep someone who can bind staff: the last admin cannot be demoted."""
    if person_id is None or role == "admin":
        return
    _not_last_admin(db, person_id, "改为其他角色")


def _not_last_admin(db: sqlite_utils.Database, person_id: int, what: str) -> None:
    row = first_row(db, "SELECT name, user_id FROM members WHERE person_id = ? AND active = 1 "
                    "AND role = 'admin' LIMIT 1", [person_id])
    if row is None:
        return
    admins = db.execute("SELECT COUNT(DISTINCT person_id) FROM members "
                        "WHERE role = 'admin' AND active = 1").fetchone()[0]
    if admins <= 1:
        raise LedgerError(f"{row['user_id']} 是唯一的管理员，不能{what}：请先添加另一位管理员。")


def remove_member(db: sqlite_utils.Database, member: Member, now: datetime, actor: str = "cli",
                  only_binding: bool = False) -> list[Member]:
    """End a person's bindings (all of them, or with `only_binding` just this platform's).
    Nothing is deleted: their records keep their author, and binding them again (or with
    same_as) gives the same person back. Returns the bindings ended."""
    with immediate(db):
        ended = [m for m in bindings_of(db, member.person_id)
                 if not only_binding or m.id == member.id]
        if not ended:
            raise LedgerError(f"{member.user_id} 的绑定已解除")
        if not only_binding or len(bindings_of(db, member.person_id)) == 1:
            _not_last_admin(db, member.person_id, "解除绑定")
        for m in ended:
            db.execute("UPDATE members SET active = 0 WHERE id = ?", [m.id])
        gone = [m.user_id for m in ended if not db.execute(
            "SELECT 1 FROM members WHERE user_id = ? AND active = 1", [m.user_id]).fetchone()]
        for uid in gone:  # a deputy who left no longer takes anyone's reminders
            db.execute("UPDATE members SET deputy_user_id = NULL, deputy_until = NULL "
                       "WHERE deputy_user_id = ?", [uid])
        audit.log(db, now, actor, "member.remove", member.user_id, name=member.name,
                  bindings=[f"{m.channel}:{m.user_id}" for m in ended])
        return ended


def find_binding(db: sqlite_utils.Database, written: str, channel: str | None = None) -> Member:
    """An active binding named as `用户ID` or `平台:用户ID` (wecom:zhang3, 钉钉:zs01), for staff
    commands; several platforms binding the same id to different people must be told apart."""
    platform, _, user_id = written.strip().rpartition(":")
    words = {"企业微信": "wecom", "政务微信": "wecom", "钉钉": "dingtalk", "专有钉钉": "dingtalk"}
    platform = words.get(platform, platform) or (channel or "")
    if platform and platform not in CHANNELS + ("*",):
        raise LedgerError(f"平台应为 wecom 或 dingtalk，收到：{platform}")
    sql, args = "SELECT * FROM members WHERE user_id = ? AND active = 1", [user_id]
    if platform:
        sql += " AND channel = ?"
        args.append(platform)
    found = [_member(r) for r in db.query(sql + " ORDER BY id", args)]
    if not found:
        where = f"在{CHANNEL_ZH.get(platform, platform)}" if platform else ""
        raise LedgerError(f"没有{where}绑定用户ID「{user_id[:70]}」的人员（creditbot member list 查看）")
    if len({m.person_id for m in found}) > 1:
        raise LedgerError(f"用户ID「{user_id}」在两个平台上是不同的人，请写明平台，"
                          f"例如 wecom:{user_id} 或 dingtalk:{user_id}")
    return found[0]


def bindings_of(db: sqlite_utils.Database, person_id: int) -> list[Member]:
    """A person's active bindings, the one reminders use first (see reminder_binding)."""
    rows = [_member(r) for r in db.query("SELECT * FROM members WHERE person_id = ? AND active = 1",
                                         [person_id])]
    return sorted(rows, key=lambda m: (m.bound_at, m.id), reverse=True)


def reminder_binding(bindings: list[Member]) -> Member:
    """Where a person with several bindings is reached (reminders, notices, digests): the
    binding made most recently — binding someone on another platform moves them there."""
    return max(bindings, key=lambda m: (m.bound_at, m.id))


def member_names(db: sqlite_utils.Database) -> dict[int, str]:
    """Every binding's name by id, ended ones too: a record keeps its author after they leave."""
    return {r[0]: r[1] for r in db.execute("SELECT id, name FROM members")}


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
                 role: str | None = None, channel: str | None = None,
                 include_ended: bool = False) -> list[Member]:
    """Active bindings (one per person per platform), filtered by unit, role and platform;
    `include_ended`: ended ones too (names in the audit log outlive the binding)."""
    sql = "SELECT * FROM members WHERE " + ("1" if include_ended else "active = 1")
    args: list[Any] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(unit_id)
    if role:
        sql += " AND role = ?"
        args.append(role)
    if channel:
        sql += " AND channel = ?"
        args.append(channel)
    return [_member(r) for r in db.query(sql + " ORDER BY id", args)]


def _people(members: list[Member]) -> dict[int, list[Member]]:
    out: dict[int, list[Member]] = {}
    for m in members:
        out.setdefault(m.person_id, []).append(m)
    return out


def liaison_contacts(db: sqlite_utils.Database, unit_id: int, today: str | None = None,
                     deputies: bool = True) -> list[tuple[str, str]]:
    """(binding channel, user id) to message for a unit, once per person: each liaison's
    reminder binding, or (`deputies`) their deputy's while they are on leave. The deputy was
    named on the liaison's platform, so that binding names the person meant."""
    # the unit's liaisons' bindings only (a reminder run asks this for every unit)
    people = _people([_member(r) for r in db.query(
        "SELECT * FROM members WHERE active = 1 AND person_id IN (SELECT person_id FROM members "
        "WHERE active = 1 AND role = 'liaison' AND unit_id = ?) ORDER BY id", [unit_id])])

    def bound_as(user_id: str) -> list[Member]:  # a deputy's bindings, and their person's
        found = [_member(r) for r in db.query(
            "SELECT * FROM members WHERE active = 1 AND person_id IN (SELECT person_id FROM "
            "members WHERE active = 1 AND user_id = ?) ORDER BY id", [user_id])]
        for person, bindings in _people(found).items():
            people.setdefault(person, bindings)
        return [m for m in found if m.user_id == user_id]

    out: list[tuple[str, str]] = []
    seen: set[int] = set()
    for person, bindings in list(people.items()):
        first = next((b for b in bindings if b.deputy_user_id), bindings[0])
        if first.role != "liaison" or first.unit_id != unit_id:
            continue
        reached, target = person, reminder_binding(bindings)
        on_leave = deputies and first.deputy_user_id and (
            first.deputy_until is None or today is None or today <= first.deputy_until)
        named = bound_as(first.deputy_user_id or "") if on_leave else []
        # a deputy no longer bound leaves the liaison reached themselves
        pick = next((d for d in named if d.channel == target.channel), named[0] if named else None)
        if pick is not None:
            reached, target = pick.person_id, reminder_binding(people[pick.person_id])
        if reached not in seen:
            seen.add(reached)
            out.append((target.channel, target.user_id))
    return out


def staff_contacts(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(binding channel, user id) of every staff member and admin, once per person."""
    return [(b.channel, b.user_id) for b in
            (reminder_binding(bs) for bs in _people(list_members(db)).values()) if b.is_staff]


def by_channel(contacts: list[tuple[str, str]], fallback: str) -> dict[str, list[str]]:
    """Contacts grouped by the platform to send on; an unscoped binding ('*') is reached on
    `fallback`."""
    out: dict[str, list[str]] = {}
    for channel, uid in contacts:
        ch = fallback if channel in ("*", "") else channel_family(channel)
        if uid not in out.setdefault(ch, []):
            out[ch].append(uid)
    return out


def liaisons_of(db: sqlite_utils.Database, unit_id: int, today: str | None = None) -> list[str]:
    """User ids to remind for a unit: its liaisons, or their deputies while they are on leave
    (once per person)."""
    return list(dict.fromkeys(uid for _, uid in liaison_contacts(db, unit_id, today)))


def set_deputy(db: sqlite_utils.Database, member: Member, deputy_user_id: str | None,
               until: str | None, now: datetime, actor: str) -> None:
    if deputy_user_id is not None:
        deputy_user_id = check_user_id(deputy_user_id)
    with immediate(db):  # the person's: whichever platform reminds them
        db.execute("UPDATE members SET deputy_user_id = ?, deputy_until = ? WHERE person_id = ?",
                   [deputy_user_id, until, member.person_id])
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
