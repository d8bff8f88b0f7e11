"""The audit log in the office's words: each row's action, who, what about and what happened,
in Chinese, with units, members and indicators by name instead of codes and ids.

The log itself keeps its codes (`review.accepted`, `3/11`, sha256) — the Excel export carries
them beside the words, so nothing an auditor may need is lost in translation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ledger.labels import SUBMISSION_KIND_ZH
from ledger.office import KIND_ZH, Office
from ledger.units import Member, Unit
from schemes.model import Indicator

__all__ = ["ACTIONS", "ACTION_GROUPS", "Names", "AuditLine", "describe", "actor_name"]

# Every action the ledger writes, in Chinese (an unknown one shows its code).
ACTIONS = {
    "submission.add": "报送", "submission.withdraw": "撤回报送",
    "review.accepted": "审核通过", "review.rejected": "审核驳回",
    "evidence.add": "上传佐证材料",
    "adjust.points": "打分", "adjust.deduction": "扣分", "adjust.event": "重大失信事件",
    "act.add": "信用办记录", "act.undo": "撤销记录",
    "unit.add": "新增单位", "unit.aliases": "设置简称", "unit.group": "设置单位群",
    "unit.pause_reminders": "暂停提醒",
    "member.add": "绑定人员", "member.scope": "限定人员渠道", "member.deputy": "设置代理人",
    "office.scheme_add": "添加考核方案", "office.year_open": "开启考核年度",
    "office.year_close": "关闭考核年度",
    "console.login": "登录控制台", "outbox.retry": "重发推送", "remind.queue": "排入提醒",
    "retention.prune": "清理过期数据",
}

# The 操作 filter: a label and the action codes (or prefixes ending in ".") it selects.
ACTION_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "submit": ("报送与撤回", ("submission.",)),
    "evidence": ("佐证材料", ("evidence.",)),
    "accept": ("审核通过", ("review.accepted",)),
    "reject": ("审核驳回", ("review.rejected",)),
    "adjust": ("打分、扣分与事件", ("adjust.",)),
    "act": ("信用办记录与撤销", ("act.",)),
    "people": ("单位与人员设置", ("unit.", "member.")),
    "office": ("考核方案与年度", ("office.",)),
    "login": ("登录控制台", ("console.login",)),
    "system": ("提醒、推送与清理", ("remind.", "outbox.", "retention.")),
}

_SYSTEM = {"scheduler": "定时任务", "system": "系统", "cli": "命令行", "seed": "初始数据",
           "web": "控制台"}
_ROLE = {"liaison": "联络员", "staff": "信用办工作人员", "admin": "管理员"}
_HOW = {"chat-link": "聊天中的登录链接", "oauth-wecom": "企业微信免登", "oauth-dingtalk": "钉钉免登"}
_PRUNED = {"inbound": "消息副本", "pending": "过期的待答问题", "upload_tokens": "上传链接",
           "downloads": "下载链接", "signatures": "回调签名记录", "exports": "旧导出文件",
           "orphan_files": "无主文件"}
_CHANNEL = {"wecom": "企业微信", "dingtalk": "钉钉", "web": "控制台", "console": "控制台"}
_ACTOR = re.compile(r"(?P<name>.*)\((?P<uid>[^()]*)\)")


@dataclass
class Names:
    """What ids and codes stand for: units by id, members by id and user id, indicators and
    their metrics by code (in the scheme that assesses the unit: 市直 and 县 number their
    items alike)."""

    units: dict[int, Unit]
    members: list[Member]
    offices: list[Office]

    def __post_init__(self) -> None:
        self.by_name = {u.name: u for u in self.units.values()}
        self.by_member_id = {m.id: m for m in self.members}
        self.by_user = {m.user_id: m for m in self.members}

    def unit(self, unit_id: str | int) -> str:
        try:
            return self.units[int(unit_id)].name
        except (KeyError, ValueError):
            return f"单位 {unit_id}"

    def _indicator(self, unit_id: str, code: str) -> Indicator | None:
        unit = self.units.get(int(unit_id)) if unit_id.isascii() and unit_id.isdigit() else None
        for off in self.offices:
            if unit is None or off.assesses(unit.kind):
                found = off.scheme.indicator(code)
                if found is not None:
                    return found
        return None

    def indicator(self, unit_id: str, code: str) -> str:
        ind = self._indicator(unit_id, code)
        return f"{code} {ind.name}" if ind else code

    def metric(self, unit_id: str, code: str, name: str) -> str:
        ind = self._indicator(unit_id, code)
        return next((m.label for m in ind.metrics if m.name == name), name) if ind else name


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: str  # "2022-09-05 10:00"
    actor: str  # a name, or 定时任务 / 系统 / 命令行
    actor_id: str  # the user id behind the name, if any
    action: str  # in Chinese
    code: str  # the action's code, as the log keeps it
    target: str  # in words: a unit and an indicator, a person, a year
    detail: str  # what happened, in a sentence
    unit_id: int | None  # the unit the row is about, for a link


def actor_name(actor: str, names: Names) -> tuple[str, str]:
    """(name, user id) of an actor as the log writes it: 「刘洋(staff1)」, a member id, or a
    job (scheduler, system, cli)."""
    if actor in _SYSTEM:
        return _SYSTEM[actor], ""
    m = _ACTOR.fullmatch(actor)
    if m:
        return m.group("name") or m.group("uid"), m.group("uid")
    if actor.isascii() and actor.isdigit() and int(actor) in names.by_member_id:
        member = names.by_member_id[int(actor)]
        return member.name, member.user_id
    return actor, ""


def _value(v: Any) -> str:
    if v is True:
        return "是"
    if v is False:
        return "否"
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v)) or "无"
    return "" if v is None else str(v)


def _channel(channel: str | None) -> str:
    return "全部渠道" if channel in (None, "", "*") else f"渠道 {_CHANNEL.get(channel, channel)}"


def _count(v: Any) -> int:
    return len(v) if isinstance(v, (list, tuple)) else int(v or 0)


def _target(action: str, target: str, d: dict[str, Any], names: Names) -> tuple[str, int | None]:
    unit_id, sep, code = target.partition("/")
    if sep and unit_id.isdigit():
        return (f"{names.unit(unit_id)} · {names.indicator(unit_id, code)}" if code
                else names.unit(unit_id)), int(unit_id)
    if action.startswith("act.") and target.isascii() and target.isdigit():
        return names.unit(target), int(target)
    if action.startswith("unit.") and target in names.by_name:
        return target, names.by_name[target].id
    if action.startswith("member.") or action == "console.login":
        m = names.by_user.get(target)
        if m is None:
            return target, None
        where = names.unit(m.unit_id) if m.unit_id else "信用办"
        return f"{m.name}（{where}）", m.unit_id
    if action.startswith("office.year"):
        return f"{target}年度", None
    if target == "batch":
        return "批量", None
    return target, None


def _detail(action: str, target: str, d: dict[str, Any], names: Names) -> str:
    unit_id, _, code = target.partition("/")
    if action == "submission.add":
        metrics = "，".join(f"{names.metric(unit_id, code, k)} {_value(v)}" for k, v in (d.get("metrics") or {}).items())
        out = f"{SUBMISSION_KIND_ZH.get(str(d.get('kind') or ''), str(d.get('kind') or ''))} {d.get('period') or ''}".strip()
        out += f"：{metrics}" if metrics else ""
        if d.get("superseded"):
            out += f"（更新了之前的 {len(d['superseded'])} 条）"
        return f"{out}；记录编号 {d.get('id')}"
    if action == "submission.withdraw":
        return f"撤回记录编号 {d.get('id')}" + ("，恢复之前的一条" if d.get("restored") else "")
    if action.startswith("review."):
        if target == "batch":
            return (f"{d.get('units', 0)} 个单位，{d.get('submissions', 0)} 条报送、"
                    f"{d.get('files', 0)} 个文件；编号 {d.get('act')}")
        parts = [f"{n} {what}" for n, what in ((_count(d.get("submissions")), "条报送"),
                                               (_count(d.get("files")), "个文件")) if n]
        reason = f"理由：{d['reason']}" if d.get("reason") else ""
        return "；".join(x for x in ("、".join(parts), reason) if x)
    if action == "evidence.add":
        size = d.get("size")
        kb = f"（{size / 1024:.1f} KB）" if isinstance(size, (int, float)) else ""
        return f"文件「{d.get('name', '')}」{kb}；文件编号 {d.get('id')}"
    if action.startswith("adjust."):
        what = {"adjust.points": "分数", "adjust.deduction": "起数", "adjust.event": "事件"}[action] \
            if action in ("adjust.points", "adjust.deduction", "adjust.event") else "数值"
        reason = f"；理由：{d['reason']}" if d.get("reason") else ""
        return f"{what} {_value(d.get('value'))}{reason}"
    if action == "act.add":
        return f"{d.get('kind', '')}：{d.get('summary', '')}；编号 {d.get('id')}"
    if action == "act.undo":
        kept = f"；未能恢复（之后已有变动）：{_value(d['kept'])}" if d.get("kept") else ""
        return f"撤销编号 {d.get('id')}（{d.get('kind', '')}：{d.get('summary', '')}）{kept}"
    if action == "unit.add":
        aliases = f"；简称：{_value(d['aliases'])}" if d.get("aliases") else ""
        return f"类别 {KIND_ZH.get(str(d.get('kind', '')), str(d.get('kind', '')))}{aliases}"
    if action == "unit.aliases":
        return f"简称：{_value(d.get('aliases'))}"
    if action == "unit.group":
        return (f"渠道 {d.get('channel') or '—'}，群内@联络员 {_value(d.get('mention'))}，"
                f"群机器人地址{'已设置' if d.get('webhook_set') else '未设置'}")
    if action == "unit.pause_reminders":
        return f"暂停至 {d.get('until') or '—'}"
    if action == "member.add":
        unit = names.unit(d["unit_id"]) if d.get("unit_id") else "信用办"
        return (f"{d.get('name', '')}，{_ROLE.get(str(d.get('role', '')), str(d.get('role', '')))}，{unit}，"
                f"{_channel(d.get('channel'))}")
    if action == "member.scope":
        return _channel(d.get("channel"))
    if action == "member.deputy":
        deputy = names.by_user.get(d.get("deputy") or "")
        who = deputy.name if deputy else (d.get("deputy") or "无")
        return f"代理人 {who}" + (f"，至 {d['until']}" if d.get("until") else "")
    if action == "office.scheme_add":
        return f"方案 {target}" + ("（由文件导入）" if d.get("from_file") else "")
    if action == "console.login":
        return f"方式：{_HOW.get(str(d.get('how', '')), str(d.get('how', '')))}"
    if action == "outbox.retry":
        return f"{d.get('count', 0)} 条推送"
    if action == "remind.queue":
        return f"{_count(d.get('keys'))} 条提醒"
    if action == "retention.prune":
        return "，".join(f"{_PRUNED.get(k, k)} {v}" for k, v in d.items())
    # An action this page does not know yet: its details as they are, minus file digests.
    return "，".join(f"{k}：{_value(v)}" for k, v in d.items() if k != "sha256")


def describe(row: dict[str, Any], names: Names) -> AuditLine:
    """One audit row in words."""
    action, target, d = row["action"], row["target"] or "", row["detail"] or {}
    who, uid = actor_name(row["actor"], names)
    what, unit_id = _target(action, target, d, names)
    if action == "act.add" and d.get("kind"):
        label = f"信用办记录（{d['kind']}）"
    else:
        label = ACTIONS.get(action, action)
    return AuditLine(row["id"], row["at"][:16].replace("T", " "), who, uid, label, action, what,
                     _detail(action, target, d, names), unit_id)
