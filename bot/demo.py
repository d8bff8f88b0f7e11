"""The demo office `make run` starts with: the 吕梁 市直 scheme in 2022, twelve units, their
liaisons and one staff member, seen on a fixed day inside the year — 2022-09-15, Beijing — with
eight months of history behind it: monthly 工作总结 (a few late, a few never sent), the
quarterly 双公示 台账 with their files, figures, reviews done and items still waiting, and a
deduction. So the first screen shows the product at work, not an empty year.

Everything is sent through the real chat pipeline on the day a liaison would have sent it, so
deadlines, on-time verdicts and scores are the product's own. The demo office keeps its day:
`DEMO_NOW` is written into the ledger, and `pinned_now` gives it to every command run against
that ledger (the server, `creditbot chat` in a second terminal) unless CREDITBOT_NOW says
otherwise. A real office (creditbot init) has no such mark and runs on the real clock.
"""
from __future__ import annotations

import io
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.db import DEMO_CLOCK, get_meta, open_db, peek_meta, set_meta
from ledger.facts import init_office
from ledger.units import add_member, add_unit, list_units

__all__ = ["ensure_demo", "pinned_now", "DEMO_UNITS", "DEMO_STAFF", "DEMO_NOW"]

DEMO_SCHEME = "lvliang-2022-departments"
DEMO_YEAR = 2022
DEMO_NOW = "2022-09-15T10:00:00"
# unit, liaison id, liaison name, monthly 信用承诺 count, months sent late, months never sent
DEMO_UNITS = [
    ("市发展改革委", "fgw", "王芳", 420, (), ()),
    ("市市场监管局", "scjg", "李强", 260, (3,), ()),
    ("市税务局", "sw", "张敏", 180, (), ()),
    ("市民政局", "mz", "赵磊", 40, (2, 6), ()),
    ("市人力资源社会保障局", "rs", "陈静", 25, (1, 4), (7,)),
    ("市教育局", "jy", "周涛", 60, (5,), ()),
    ("市公安局", "ga", "吴刚", 150, (), ()),
    ("市财政局", "cz", "郑丽", 30, (8,), ()),
    ("市自然资源局", "zrzy", "孙伟", 45, (), (6,)),
    ("市生态环境局", "sthj", "马丽", 70, (7,), ()),
    ("市住房城乡建设局", "zjj", "何军", 110, (), ()),
    ("市交通运输局", "jtys", "罗燕", 55, (2,), (5, 8)),
]
DEMO_STAFF = ("xyb", "刘洋（市信用办）")


def pinned_now(db_path: str | Path) -> str | None:
    """The demo office's day, if the ledger at `db_path` is the demo; None otherwise (also when
    there is no ledger yet). Read-only: it never creates or migrates anything."""
    return peek_meta(db_path, DEMO_CLOCK)


def ensure_demo(settings: dict[str, Any]) -> None:
    """Create the demo office in an empty ledger; leave an existing one alone."""
    db = open_db(settings["CREDITBOT_DB"])
    try:
        fresh = not get_meta(db, "scheme_id") and not list_units(db)
        if fresh:
            init_office(db, DEMO_SCHEME, DEMO_YEAR)
            set_meta(db, DEMO_CLOCK, DEMO_NOW)  # before the first message: every clock reads it
    finally:
        db.close()
    if fresh:
        _seed({**settings, "CREDITBOT_NOW": DEMO_NOW})
    now = pinned_now(settings["CREDITBOT_DB"])
    day = f"{now[:4]}年{int(now[5:7])}月{int(now[8:10])}日" if now else "今天"
    print(f"演示数据已就绪：吕梁市市直成员单位考核（2022年度），{len(DEMO_UNITS)} 个单位，"
          f"演示日期固定为 {day}（北京时间）。试试（另开一个终端）：")
    print("  .venv/bin/creditbot chat --as fgw 帮助")
    print("  .venv/bin/creditbot chat --as fgw 报送 信用承诺 35")
    print("  .venv/bin/creditbot chat --as fgw 得分")
    print("  .venv/bin/creditbot chat --as xyb 排名")
    print("  .venv/bin/creditbot chat --as xyb 待审")
    print("  .venv/bin/creditbot chat --as xyb 通报 2022-08")
    print("  PUBLIC_BASE_URL=http://127.0.0.1:5000 .venv/bin/creditbot chat --as xyb 控制台"
          "   # 网页控制台的登录链接")


def _files(folder: Path) -> tuple[Path, Path]:
    """A 台账 as a one-page PDF and a screenshot of it (Pillow), to attach as evidence."""
    from PIL import Image, ImageDraw
    pdf = folder / "双公示台账.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages"
                    b"/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox"
                    b"[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    img = Image.new("RGB", (480, 270), "white")
    draw = ImageDraw.Draw(img)
    for n in range(8):  # a table's rows, as a screenshot of the 台账 shows them
        draw.rectangle([20, 20 + n * 30, 460, 44 + n * 30], outline="#90a4ae",
                       fill="#e3f2fd" if n == 0 else "white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    shot = folder / "双公示台账截图.png"
    shot.write_bytes(buf.getvalue())
    return pdf, shot


def _seed(settings: dict[str, Any]) -> None:
    from bot.app import make_pipeline
    from channels.message import Attachment, Message
    db = open_db(settings["CREDITBOT_DB"])
    start = datetime(2022, 1, 4, 9, 0)
    for name, uid, person, *_ in DEMO_UNITS:
        unit = add_unit(db, name, "department", now=start, actor="demo")
        add_member(db, uid, person, "liaison", unit.id, now=start, actor="demo")
    add_member(db, DEMO_STAFF[0], DEMO_STAFF[1], "staff", None, now=start, actor="demo")
    db.close()
    pipeline = make_pipeline(settings)
    clock = {"now": start}
    pipeline.clock = lambda: clock["now"]
    count = 0

    def say(user: str, text: str, when: datetime, files: tuple[Any, ...] = ()) -> None:
        nonlocal count
        count += 1
        clock["now"] = when
        reply = pipeline.handle(Message("console", user, user, text, f"demo-{count}", when, files)).text
        if reply.startswith(("没有", "抱歉", "「", "格式")):  # the demo must not seed a refusal
            raise RuntimeError(f"演示数据未能写入：{user} {text} → {reply}")

    with tempfile.TemporaryDirectory() as tmp:
        pdf, shot = _files(Path(tmp))
        for rank, (name, uid, _, count_, late, missing) in enumerate(DEMO_UNITS):
            for month in range(1, 9):  # 工作总结 for January to August, due by the 2nd
                if month in missing:
                    continue
                day = 9 + rank % 5 if month in late else 1
                say(uid, f"月报 2022-{month:02d} {month}月开展诚信宣传{month % 3 + 1}次，"
                         f"归集信用承诺信息{count_}条，推送红黑名单信息{rank % 4 + 1}条。",
                    datetime(2022, month + 1, day, 9, 30 + rank))
                say(uid, f"报送 信用承诺 {count_ + month * (rank % 3)}",
                    datetime(2022, month, 25, 15, rank))
            for quarter, when in ((1, datetime(2022, 4, 8, 10, rank)), (2, datetime(2022, 7, 8, 10, rank))):
                if quarter == 2 and rank in (4, 11):
                    continue  # two units never sent the second quarter's 台账
                when = when.replace(day=13) if quarter == 2 and rank == 9 else when  # one late
                say(uid, f"佐证 双公示 2022-Q{quarter}", when)
                say(uid, "", when.replace(minute=when.minute + 1),
                    (Attachment("file", f"双公示台账2022Q{quarter}.pdf", path=str(pdf),
                                content_type="application/pdf"),
                     Attachment("image", f"双公示台账截图Q{quarter}.png", path=str(shot),
                                content_type="image/png")))
                # 瞒报 is the office's to find (entered_by: office): the liaison sends the accuracy
                say(uid, f"报送 双公示 2022-Q{quarter} 准确率={99.6 - rank * 0.35 - quarter * 0.1:.1f}%",
                    when.replace(minute=when.minute + 2))
            say(uid, f"报送 工作机制 分管领导=是 工作机制={'是' if rank % 5 else '否'}",
                datetime(2022, 3, 15, 10, rank))
            say(uid, f"报送 制度建设 落实相关制度=是 制定本部门={'是' if rank % 2 == 0 else '否'}",
                datetime(2022, 4, 12, 10, rank))
            say(uid, f"报送 行政强制 {5 - rank % 4}", datetime(2022, 5, 16, 10, rank))
            say(uid, f"报送 履约践诺 {count_ // 2 + 7 * rank}", datetime(2022, 8, 20, 15, rank))
            say(uid, f"报送 宣传 诚信宣传={6 - rank % 6} 参与=是", datetime(2022, 8, 24, 10, rank))
            say(uid, f"报送 联合奖惩 {12 - rank}", datetime(2022, 8, 26, 10, rank))
            say(uid, f"报送 红黑名单 {'是' if rank % 6 else '否'}", datetime(2022, 6, 10, 11, rank))
            if rank % 3 != 2:
                say(uid, "报送 自动对接 是", datetime(2022, 7, 20, 10, rank))
            say(uid, f"报送 信易贷 融资授信=是 平台注册=是 查询应用="
                     f"{'是' if rank < 6 else '否'} 联合建模={'是' if rank < 3 else '否'}",
                datetime(2022, 8, 23, 10, rank))
            if rank < 8:
                say(uid, f"报送 共享信息 企业数=21000 纳税={24000 - rank * 1500} "
                         f"水费={22000 - rank * 900} 电费=23000 燃气费=是 "
                         f"不动产={'是' if rank % 2 == 0 else '否'} 科技研发=否",
                    datetime(2022, 8, 18, 10, rank))
        # the office reviewed everything up to July; August's and a few 台账 still wait
        staff = DEMO_STAFF[0]
        for name, *_ in DEMO_UNITS:
            for month in range(1, 8):
                for code in ("月报", "信用承诺"):
                    _review(pipeline, name, code, f"2022-{month:02d}", datetime(2022, month + 1, 12, 9, 0))
            for item in ("工作机制", "制度建设", "行政强制", "红黑名单", "自动对接"):
                _review(pipeline, name, item, None, datetime(2022, 8, 22, 9, 0))
            _review(pipeline, name, "双公示", "2022-Q1", datetime(2022, 4, 20, 9, 0))
        for name, *_ in DEMO_UNITS[:7]:  # the second quarter's 台账: some still wait
            _review(pipeline, name, "双公示", "2022-Q2", datetime(2022, 7, 20, 9, 0))
        say(staff, "扣分 市交通运输局 乱收费 1 被省通报1起", datetime(2022, 8, 25, 9, 0))
        say(staff, "代报 市发展改革委 创新 国家发展改革委微博=1", datetime(2022, 9, 5, 9, 0))
    # the notices those acts queued go out as they would have (no platform: the console's
    # log), so the demo starts with nothing stuck in the outbox
    from reminders.outbox import deliver_due, make_senders
    db = open_db(settings["CREDITBOT_DB"])
    try:
        deliver_due(db, datetime.fromisoformat(DEMO_NOW), make_senders(settings))
    finally:
        db.close()


def _review(pipeline: Any, unit: str, code: str, period: str | None, when: datetime) -> None:
    """Approve what a unit sent for an item (one period, or all of it) — quietly: liaisons of
    a demo are not told again about months long past."""
    from ledger import submissions as subs
    from ledger.db import LedgerError
    from ledger.facts import office
    from ledger.units import find_member, find_unit
    db = pipeline.thread_db()
    ind = office(db).scheme.indicator(code) or next(
        i for _, i in office(db).scheme.indicators() if code in i.aliases)
    staff = find_member(db, "console", DEMO_STAFF[0])
    assert staff is not None  # _seed bound the demo's staff member first
    try:
        subs.review_latest(db, find_unit(db, unit).id, ind.code, True, "", staff.id, when,
                           f"console:{DEMO_STAFF[0]}", period=period)
    except LedgerError:
        pass  # nothing sent for it (a month never sent): nothing to approve
