"""A lively 吕梁 市直 office for the console tests: six units, a staff member, eight months of
briefings (some late, one missing), data, evidence waiting for review and a deduction — all
sent through the real chat pipeline on the dates a liaison would send them."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import make_pipeline
from channels.message import Attachment, Message
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit

__all__ = ["NOW", "UNITS", "seed_office", "PNG", "PDF", "seed_large_office", "large_unit_names"]

NOW = "2022-09-05T10:00:00"
# unit, liaison id, liaison name, 信用承诺 count, months whose briefing came late, months missing
UNITS = [
    ("市税务局", "sw1", "张敏", 120, (), ()),
    ("市民政局", "mz1", "赵磊", 35, (3,), ()),
    ("市发展改革委", "fgw1", "王芳", 260, (), ()),
    ("市市场监管局", "scj1", "李强", 90, (2, 6), ()),
    ("市人社局", "rs1", "陈静", 15, (1, 4, 7), (8,)),
    ("市教育局", "jy1", "周涛", 60, (5,), ()),
]


def _png(width: int = 160, height: int = 90) -> bytes:
    """A small real PNG (a striped "screenshot"), built with zlib so the browser can draw it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((30, 100 + (y * 2) % 120, 200) * width) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# A screenshot-like PNG and a one-page PDF: real files a browser can show.
PNG = _png()
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def seed_office(settings: dict[str, Any], tmp: Path) -> None:
    """Write the office into settings' ledger, each message at its own date."""
    db = open_db(settings["CREDITBOT_DB"])
    start = datetime(2022, 1, 4, 9, 0)
    init_office(db, "lvliang-2022-departments", 2022)
    for name, uid, person, *_ in UNITS:
        unit = add_unit(db, name, now=start)
        add_member(db, uid, person, "liaison", unit.id, now=start)
    add_member(db, "staff1", "刘洋", "staff", None, now=start)
    db.close()
    pipeline = make_pipeline({**settings, "CREDITBOT_NOW": ""})
    clock = {"now": start}
    pipeline.clock = lambda: clock["now"]
    n = 0

    def say(user: str, text: str, when: datetime, files: tuple[Attachment, ...] = ()) -> str:
        nonlocal n
        n += 1
        clock["now"] = when
        reply = pipeline.handle(Message("wecom", user, user, text, f"seed{n}", when, files)).text
        assert not reply.startswith(("没有", "抱歉", "「", "格式")), (text, reply)
        return reply

    for name, uid, _, count, late, missing in UNITS:
        for month in range(1, 9):
            if month in missing:
                continue
            day = 20 if month in late else 1  # due by the 2nd (later after holidays)
            say(uid, f"月报 2022-{month:02d} {month}月开展诚信宣传{month % 3 + 1}次，归集双公示信息{count * month}条。",
                datetime(2022, month + 1, day, 9, 30))
        say(uid, f"报送 信用承诺 {count}", datetime(2022, 8, 20, 15, 0))
        rank = [u[0] for u in UNITS].index(name)
        say(uid, f"报送 工作机制 分管领导=是 工作机制={'是' if rank != 4 else '否'}",
            datetime(2022, 3, 15, 10, 0))
        say(uid, f"报送 制度建设 落实相关制度=是 制定本部门={'是' if rank % 2 == 0 else '否'}",
            datetime(2022, 4, 12, 10, 0))
        say(uid, f"报送 行政强制 {5 - rank % 4}", datetime(2022, 5, 16, 10, 0))
        if rank in (0, 2, 3):
            say(uid, "报送 自动对接 是", datetime(2022, 7, 20, 10, 0))
        say(uid, f"报送 双公示 准确率={99.5 - rank * 0.8}%", datetime(2022, 7, 11, 10, 0))
        say(uid, f"报送 履约践诺 {count // 2 + 7 * rank}", datetime(2022, 8, 20, 15, 5))
        say(uid, f"报送 信易贷 融资授信=是 平台注册=是 查询应用={'是' if rank < 4 else '否'}"
                 f" 联合建模={'是' if rank < 2 else '否'}", datetime(2022, 8, 23, 10, 0))
        say(uid, f"报送 宣传 诚信宣传={6 - rank} 参与=是", datetime(2022, 8, 24, 10, 0))
        say(uid, f"报送 联合奖惩 {12 - 2 * rank}", datetime(2022, 8, 26, 10, 0))
        say(uid, f"报送 红黑名单 {'是' if rank != 5 else '否'}", datetime(2022, 6, 10, 11, 0))
    for name in ("市发展改革委", "市教育局", "市市场监管局"):
        for code in ("工作机制", "制度建设", "行政强制", "月报"):
            say("staff1", f"审核 {name} {code} 通过", datetime(2022, 8, 22, 9, 0))
    shot, pdf = tmp / "双公示台账截图.png", tmp / "双公示台账2022Q2.pdf"
    shot.write_bytes(PNG)
    pdf.write_bytes(PDF)
    say("sw1", "佐证 双公示 2022-Q2", datetime(2022, 7, 8, 10, 0))
    say("sw1", "", datetime(2022, 7, 8, 10, 1),
        (Attachment("file", shot.name, path=str(shot), content_type="image/png"),
         Attachment("file", pdf.name, path=str(pdf), content_type="application/pdf")))
    say("staff1", "审核 市发展改革委 信用承诺 通过", datetime(2022, 8, 22, 9, 0))
    say("staff1", "扣分 市人社局 乱收费 1 被省通报1起", datetime(2022, 8, 25, 9, 0))


# ---- an office of 120–200 units, as issue 18 found one ----------------------------------------

_DEPARTMENTS = [
    ("市委办公室", None), ("市人大常委会办公室", None), ("市人民政府办公室", "市政府办"),
    ("市政协办公室", None), ("市纪委监委", None), ("市委组织部", None), ("市委宣传部", None),
    ("市委统战部", None), ("市委政法委", None), ("市委网信办", None), ("市发展和改革委员会", "发改委"),
    ("市教育局", None), ("市科学技术局", "科技局"), ("市工业和信息化局", "工信局"),
    ("市公安局", None), ("市民政局", None), ("市司法局", None), ("市财政局", None),
    ("市人力资源和社会保障局", "人社局"), ("市规划和自然资源局", "自然资源局"),
    ("市生态环境局", None), ("市住房和城乡建设局", "住建局"), ("市交通运输局", None),
    ("市水利局", None), ("市农业农村局", None), ("市商务局", None), ("市文化和旅游局", "文旅局"),
    ("市卫生健康委员会", "卫健委"), ("市退役军人事务局", None), ("市应急管理局", None),
    ("市审计局", None), ("市人民政府国有资产监督管理委员会", "国资委"),
    ("市市场监督管理局", "市场监管局"), ("市体育局", None), ("市统计局", None),
    ("市医疗保障局", "医保局"), ("市行政审批服务管理局", "审批局"), ("市能源局", None),
    ("市林业局", None), ("市地方金融监督管理局", "金融局"), ("市信访局", None),
    ("市住房公积金管理中心", "公积金中心"), ("国家税务总局吕梁市税务局", "税务局"),
    ("吕梁海关", None), ("市气象局", None), ("市消防救援支队", None),
]
_PLACES = ["离石", "孝义", "汾阳", "文水", "交城", "兴县", "临县", "柳林", "石楼", "岚县",
           "方山", "中阳", "交口"]


def large_unit_names(n: int) -> list[tuple[str, str | None]]:
    """n distinct unit names of a city office (long ones included), with their 简称."""
    out = list(_DEPARTMENTS)
    k = 0
    while len(out) < n:  # the departments' branch offices and service centres
        place = _PLACES[k % len(_PLACES)]
        base, _ = _DEPARTMENTS[(k // len(_PLACES)) % len(_DEPARTMENTS)]
        out.append((f"{base}{place}分局" if k % 2 else f"{base}{place}服务中心", None))
        k += 1
    return out[:n]


def seed_large_office(settings: dict[str, Any], n: int = 120) -> dict[str, int]:
    """A 吕梁 市直 office of n units with Jan–Aug 2022 behind it, written through the ledger's
    own functions in one transaction (n × 8 months through the chat would take minutes):
    briefings (a few late, a few missing), the yearly data, 双公示 by quarter, files for some,
    all reviewed except each unit's August briefing and Q2 双公示 — about 230 items waiting.
    Returns how many units, submissions and waiting items."""
    import random

    from ledger.approvals import Target, approve, waiting_per_unit
    from ledger.db import immediate
    from ledger.submissions import record_submission, store_evidence
    from ledger.units import set_aliases
    from worktime.calendar import WorkCalendar
    from worktime.period import deadline

    rng = random.Random(18)
    db = open_db(settings["CREDITBOT_DB"])
    start = datetime(2022, 1, 4, 9, 0)
    init_office(db, "lvliang-2022-departments", 2022)
    cal = WorkCalendar.default()
    staff = add_member(db, "staff1", "刘洋", "staff", None, now=start)
    # Every unit's briefing for a month is due the same day: worked out once, not per unit.
    due_by_month = {month: deadline(cal, "monthly", f"2022-{month:02d}", 2) for month in range(1, 9)}
    sent = 0
    with immediate(db):
        for idx, (name, short) in enumerate(large_unit_names(n)):
            unit = add_unit(db, name, now=start)
            if short:
                set_aliases(db, unit, [short], start)
            liaison = add_member(db, f"u{idx:03d}", f"联络员{idx}", "liaison", unit.id, now=start)
            common = dict(unit_id=unit.id, member_id=liaison.id, channel="seed", source_msg_id=None)
            for month in range(1, 9):
                if (idx % 17 == 3 and month == 8) or (idx % 23 == 5 and month == 3):
                    continue  # missing
                period = f"2022-{month:02d}"
                due = due_by_month[month]
                late = rng.random() < 0.08
                at = datetime.combine(due, datetime.min.time()).replace(hour=9) + \
                    (timedelta(days=rng.randint(3, 12)) if late else -timedelta(days=1))
                record_submission(db, indicator="11", period=period, kind="briefing", metrics={},
                                  text=f"{month}月开展诚信宣传{rng.randint(1, 4)}次，归集双公示信息{rng.randint(20, 900)}条。",
                                  now=at, deadline=due.isoformat(), on_time=not late, **common)
                sent += 1
            yearly = {"1": {"staffed": True, "mechanism": rng.random() < 0.9},
                      "2": {"implemented": True, "own_rules": rng.random() < 0.6},
                      "5": {"classes": rng.randint(1, 5)}, "7": {"commitments": rng.randint(5, 300)},
                      "8": {"fulfilments": rng.randint(3, 150)},
                      "10": {"activities": rng.randint(0, 8), "joined": rng.random() < 0.8},
                      "12": {"cases": rng.randint(0, 12)}, "13": {"realtime_push": rng.random() < 0.85},
                      "6": {"docked": rng.random() < 0.7},
                      "4": {"enterprises": rng.randint(50, 900), "tax_records": rng.randint(0, 5000),
                            "water_records": rng.randint(0, 3000), "power_records": rng.randint(0, 3000),
                            "gas_shared": rng.random() < 0.7, "property_shared": rng.random() < 0.6,
                            "rnd_shared": rng.random() < 0.4},
                      "9": {"shared_credit_info": True, "registration": rng.random() < 0.9,
                            "platform_service": rng.random() < 0.6, "joint_modeling": rng.random() < 0.3},
                      "14": {"central_praise": int(rng.random() < 0.05), "ndrc_media": int(rng.random() < 0.2),
                             "ndrc_bulletin": int(rng.random() < 0.1), "other_awards": rng.randint(0, 2)}}
            if idx % 9 == 4:
                del yearly["9"], yearly["6"], yearly["4"]  # not sent yet
            for code, metrics in yearly.items():
                record_submission(db, indicator=code, period="2022", kind="data", metrics=metrics,
                                  text="", now=datetime(2022, 6, 1 + idx % 28, 10), **common)
                sent += 1
            for q, day in (("2022-Q1", datetime(2022, 4, 8, 10)), ("2022-Q2", datetime(2022, 7, 8, 10))):
                record_submission(db, indicator="3", period=q, kind="data",
                                  metrics={"accuracy": round(0.95 + rng.random() * 0.05, 3)},
                                  text="", now=day, **common)
                if not (idx % 11 == 7 and q == "2022-Q2"):  # the quarter's 台账, mostly on time
                    record_submission(db, indicator="3", period=q, kind="report", metrics={},
                                      text=f"{q} 双公示台账", now=day, deadline=day.date().isoformat(),
                                      on_time=True, **common)
                sent += 2
            if idx % 5 == 0:  # a screenshot and the quarter's 台账 as a PDF
                for fname, content, ctype in ((f"双公示截图{idx}.png", PNG, "image/png"),
                                              (f"双公示台账2022Q2-{idx}.pdf", PDF, "application/pdf")):
                    store_evidence(db, settings["CREDITBOT_DATA"], indicator="3",
                                   content=content, original_name=fname, content_type=ctype,
                                   now=datetime(2022, 7, 8, 10, 5), year=2022, period="2022-Q2",
                                   **common)
        # The office reviewed everything but August's briefings and Q2's 双公示.
        targets = [Target(None, "11", tuple(f"2022-{m:02d}" for m in range(1, 8))),
                   Target(None, "3", ("2022-Q1",))] + [Target(None, c) for c in
                                                        ("1", "2", "4", "5", "6", "7", "8", "9", "10", "12", "13", "14")]
        approve(db, targets, reviewer_id=staff.id, now=datetime(2022, 8, 25, 9), actor="seed",
                summary="种子数据：已审核")
    waiting = sum(waiting_per_unit(db).values())
    db.close()
    return {"units": n, "submissions": sent, "waiting": waiting}
