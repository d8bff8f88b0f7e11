"""A lively 吕梁 市直 office for the console tests: six units, a staff member, eight months of
briefings (some late, one missing), data, evidence waiting for review and a deduction — all
sent through the real chat pipeline on the dates a liaison would send them."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app import make_pipeline
from channels.message import Attachment, Message
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit

__all__ = ["NOW", "UNITS", "seed_office", "PNG", "PDF"]

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
        say(uid, f"报送 工作机制 staffed=是 mechanism={'是' if rank != 4 else '否'}",
            datetime(2022, 3, 15, 10, 0))
        say(uid, f"报送 制度建设 implemented=是 own_rules={'是' if rank % 2 == 0 else '否'}",
            datetime(2022, 4, 12, 10, 0))
        say(uid, f"报送 行政强制 {5 - rank % 4}", datetime(2022, 5, 16, 10, 0))
        if rank in (0, 2, 3):
            say(uid, "报送 自动对接 是", datetime(2022, 7, 20, 10, 0))
        say(uid, f"报送 双公示 accuracy={99.5 - rank * 0.8}% concealed=0", datetime(2022, 7, 11, 10, 0))
        say(uid, f"报送 履约践诺 {count // 2 + 7 * rank}", datetime(2022, 8, 20, 15, 5))
        say(uid, f"报送 信易贷 shared_credit_info=是 registration=是 platform_service={'是' if rank < 4 else '否'}"
                 f" joint_modeling={'是' if rank < 2 else '否'}", datetime(2022, 8, 23, 10, 0))
        say(uid, f"报送 宣传 activities={6 - rank} joined=是", datetime(2022, 8, 24, 10, 0))
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
