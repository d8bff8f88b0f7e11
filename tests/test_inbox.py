"""待审 lists each item; 查看 shows it in full and sends its files back (console: paths; with
PUBLIC_BASE_URL: one-time links; WeCom/DingTalk: file messages through the outbox)."""
from __future__ import annotations

import re
from pathlib import Path

from bot.app import create_app
from ledger.outbox import list_items
from ledger.units import add_member


def test_pending_lists_items_with_number_unit_period_and_first_words(lvliang, tmp_path):
    lvliang.at("2022-09-01T10:00").chat("sw1", "月报 8月开展诚信宣传活动2次，走访企业30家，发放材料500份")
    lvliang.chat("mz1", "报送 信用承诺 35")
    reply = lvliang.chat("staff1", "待审")
    lines = reply.splitlines()
    assert lines[0] == "待审核 2 条（最早的在前）："
    assert re.match(r"#\d+｜市税务局｜11 工作报送｜月报 2022-08｜09-01 10:00｜8月开展诚信宣传活动2次", lines[1])
    assert "市民政局" in lines[2] and "报送归集的企业 35条" in lines[2]
    assert "查看 <编号>" in reply


def test_show_gives_the_full_text_exactly_as_sent_and_the_files(lvliang, tmp_path):
    text = "月报 8月开展宣传2次，走访企业３０家！\n二、培训1次。"
    lvliang.chat("sw1", text)
    f = tmp_path / "宣传活动方案.pdf"
    f.write_bytes(b"%PDF-1.4 plan")
    lvliang.chat("sw1", "佐证 月报", files=[f])
    sub_id = re.search(r"#(\d+)｜市税务局｜11", lvliang.chat("staff1", "待审")).group(1)
    reply = lvliang.pipeline.handle(lvliang.message("staff1", f"查看 {sub_id}"))
    assert f"原文：{text}" in reply.text  # the message verbatim, command word and all
    assert "宣传活动方案.pdf" in reply.text and "审核 市税务局" in reply.text
    assert len(reply.files) == 1 and Path(reply.files[0]).read_bytes() == b"%PDF-1.4 plan"
    file_id = re.search(r"F(\d+) 宣传活动方案", reply.text).group(1)
    assert "宣传活动方案.pdf" in lvliang.chat("staff1", f"查看 F{file_id}")
    assert "没有编号为 F999" in lvliang.chat("staff1", "查看 F999")
    assert "编号" in lvliang.chat("staff1", "查看 abc")
    assert "仅限信用办" in lvliang.chat("sw1", f"查看 {sub_id}")


def test_show_with_public_url_gives_a_one_time_link(lvliang, tmp_path):
    lvliang.pipeline.settings["PUBLIC_BASE_URL"] = "https://bot.example.gov.cn"
    f = tmp_path / "双公示台账2022Q3.pdf"
    f.write_bytes(b"%PDF-1.4 q3")
    lvliang.chat("sw1", "佐证 双公示", files=[f])
    reply = lvliang.chat("staff1", "查看 F1")
    token = re.search(r"https://bot\.example\.gov\.cn/download/(\S+)", reply).group(1)
    client = create_app(lvliang.pipeline.settings).test_client()
    first = client.get(f"/download/{token}")
    assert first.status_code == 200 and first.data == b"%PDF-1.4 q3"
    assert client.get(f"/download/{token}").status_code == 410


def test_show_in_wecom_queues_the_file_for_the_staff_member(lvliang, tmp_path):
    f = tmp_path / "台账.pdf"
    f.write_bytes(b"%PDF-1.4 x")
    lvliang.chat("sw1", "佐证 双公示", files=[f])
    add_member(lvliang.db, "staff1", "刘洋", "staff", None, channel="wecom")
    reply = lvliang.chat("staff1", "查看 F1", channel="wecom")
    assert "随后单独发给您" in reply
    item = [i for i in list_items(lvliang.db) if "file" in i.payload][0]
    assert item.channel == "wecom" and item.target == {"users": ["staff1"]}
    assert item.payload["name"] == "台账.pdf"


def test_show_in_dingtalk_says_which_files_the_robot_cannot_carry(lvliang, tmp_path):
    photo = tmp_path / "宣传现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    sheet = tmp_path / "宣传台账.xlsx"
    sheet.write_bytes(b"PK\x03\x04 sheet")
    lvliang.chat("sw1", "佐证 宣传", files=[photo, sheet])
    add_member(lvliang.db, "staff1", "刘洋", "staff", None, channel="dingtalk")
    reply = lvliang.chat("staff1", "查看 F1", channel="dingtalk") + lvliang.chat(
        "staff1", "查看 F2", channel="dingtalk")
    assert "钉钉只能发送" in reply and reply.count("钉钉只能发送") == 1
    queued = [i.payload["name"] for i in list_items(lvliang.db) if "file" in i.payload]
    assert queued == ["宣传台账.xlsx"]
