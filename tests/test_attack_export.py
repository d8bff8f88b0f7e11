"""Poisoned file names and formula text against the real server: a liaison sends files over
DingTalk, staff type 导出, and the workbook must open with every text cell as plain text."""
from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from ledger.submissions import list_evidence
from ledger.units import add_member
from test_e2e_dingtalk import Robot, robot  # noqa: F401  (fixture)

PDF = b"%PDF-1.4\n" + b"0" * 64
HOSTILE = ["a\x00.exe.pdf", "=cmd|' /C calc'!A0.pdf", '=HYPERLINK("http://127.0.0.1/x","点我").pdf',
           "+1-2.pdf", "@SUM(A1).pdf", "\u202efdp.exe.pdf", "../../etc/passwd.pdf", "\x1b[31mred.pdf"]


def _send_file(robot: Robot, name: str, code: str) -> str:
    robot.fake.files[code] = (PDF + code.encode(), "application/pdf")
    resp = robot.post(robot.body("sw1", "file", {"fileName": name, "downloadCode": code}))
    assert resp.status_code == 200, resp.text
    return resp.json()["text"]["content"]


def _export(robot: Robot, tmp_path: Path):
    db = robot.db()
    add_member(db, "xyb", "刘洋", "staff", None, channel="dingtalk")
    db.close()
    reply = robot.say("xyb", "导出")
    assert "已导出" in reply and "/" not in reply.split("\n", 1)[1], reply
    exports = sorted((Path(robot.settings["CREDITBOT_DATA"]) / "exports").glob("*.xlsx"))
    return load_workbook(exports[-1])


def test_hostile_file_names_are_cleaned_and_export_keeps_working(robot: Robot, tmp_path: Path):
    robot.say("sw1", "佐证 双公示")
    for n, name in enumerate(HOSTILE):
        assert "已收到" in _send_file(robot, name, f"DL-{n}")
    db = robot.db()
    names = [e["original_name"] for e in list_evidence(db)]
    db.close()
    assert len(names) == len(HOSTILE)
    for name in names:
        assert not any(ord(ch) < 32 or ch == "\u202e" for ch in name), name
        assert "/" not in name and not name.startswith(".")
    assert "a.exe.pdf" in names
    wb = _export(robot, tmp_path)
    sheet = wb["佐证材料"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "=cmd_' _C calc'!A0.pdf" in texts
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert formula_like and all(c.quotePrefix for c in formula_like)
    # A second export still works (the bug made every later 导出 fail).
    assert _export(robot, tmp_path)["佐证材料"].max_row == len(HOSTILE) + 1


def test_review_reasons_typed_as_formulas_stay_text(robot: Robot, tmp_path: Path):
    robot.say("sw1", "佐证 双公示")
    _send_file(robot, "台账.pdf", "DL-R")
    db = robot.db()
    add_member(db, "xyb", "刘洋", "staff", None, channel="dingtalk")
    db.close()
    assert "驳回" in robot.say("xyb", '审核 市税务局 双公示 驳回 =HYPERLINK("http://x")')
    sheet = _export(robot, tmp_path)["佐证材料"]
    column = [c.value for c in sheet[1]].index("审核意见")  # by its head: 期别 came in before it
    reasons = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert any(str(c.value).startswith("=HYPERLINK") and c.data_type == "s" for c in reasons)
