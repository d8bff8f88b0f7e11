"""What one message costs the ledger, counted with sqlite3's trace callback on the pipeline's
own connection (bench/statements.py prints the same figures for a 200-unit office)."""
from __future__ import annotations

import re

from ledger.db import open_db

_MEMBER_LOOKUP = re.compile(r"^\s*SELECT \* FROM members WHERE user_id = ", re.IGNORECASE)


def _traced(office, user: str, text: str) -> tuple[list[str], str]:
    seen: list[str] = []
    conn = office.pipeline.thread_db().conn
    conn.set_trace_callback(seen.append)
    try:
        reply = office.chat(user, text)
    finally:
        conn.set_trace_callback(None)
    return seen, reply


def test_a_question_looks_the_sender_up_once(lvliang):
    lvliang.chat("sw1", "得分")  # scorecards cached, as in service
    seen, reply = _traced(lvliang, "sw1", "得分")
    assert "总分" in reply
    assert sum(bool(_MEMBER_LOOKUP.match(s)) for s in seen) == 1


def test_a_write_looks_the_sender_up_once(lvliang):
    seen, reply = _traced(lvliang, "sw1", "报送 信用承诺 35")
    assert "已记录" in reply, reply
    assert sum(bool(_MEMBER_LOOKUP.match(s)) for s in seen) == 1


def test_a_cached_score_costs_at_most_eight_queries(lvliang):
    lvliang.chat("sw1", "得分")
    seen, reply = _traced(lvliang, "sw1", "得分")
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
    queries = [s for s in seen if not s.lstrip().upper().startswith(control)]
    assert "总分" in reply and len(queries) <= 8, queries


def test_a_strangers_words_are_not_kept(lvliang):
    """Looking the sender up once still keeps a stranger's text out of the inbound row."""
    reply = lvliang.chat("nobody", "我的电话 13800000000")
    assert "还没有绑定单位" in reply
    db = open_db(lvliang.settings["CREDITBOT_DB"])
    assert db.execute("SELECT text FROM inbound WHERE sender = 'nobody'").fetchall() == [("",)]
