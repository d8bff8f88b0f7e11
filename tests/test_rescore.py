"""Incremental rescoring must give exactly what a full recompute gives."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from schemes.loader import scheme_by_id
from scoring.engine import rescore, score_all

SCHEME = scheme_by_id("lvliang-2022-departments")
UNITS = [f"单位{n}" for n in range(6)]

# A few indicators with rank rules, a checklist, a linked rule and a deduction.
values = st.fixed_dictionaries({}, optional={
    "7": st.fixed_dictionaries({"commitments": st.integers(0, 50)}),
    "12": st.fixed_dictionaries({"cases": st.integers(0, 5)}),
    "13": st.fixed_dictionaries({"realtime_push": st.booleans()}),
    "3": st.fixed_dictionaries({"accuracy": st.sampled_from([0.9, 0.95, 1.0]),
                                "concealed": st.integers(0, 6),
                                "ledger_on_time": st.booleans()}),
    "八.1": st.fixed_dictionaries({"cases": st.integers(0, 3)}),
})
offices = st.dictionaries(st.sampled_from(UNITS), values, min_size=1, max_size=6)


def snapshot(cards):
    return {u: (c.total, c.band, c.rank, c.rank_of,
                [(i.code, i.points, i.status, i.explain) for i in c.items])
            for u, c in cards.items()}


@settings(max_examples=60)
@given(before=offices, after=offices)
def test_rescore_equals_a_full_recompute(before, after):
    previous = rescore(SCHEME, before)
    incremental = rescore(SCHEME, after, previous)
    assert snapshot(incremental.cards) == snapshot(score_all(SCHEME, after))
    # the previous state is left as it was
    assert snapshot(previous.cards) == snapshot(score_all(SCHEME, before))


def test_one_changed_unit_rescores_few_cards():
    facts = {u: {"13": {"realtime_push": True}} for u in UNITS}
    previous = rescore(SCHEME, facts)
    changed = dict(facts)
    changed["单位0"] = {"13": {"realtime_push": False}}
    now = rescore(SCHEME, changed, previous, changed={"单位0"})
    assert now.cards["单位0"].total == Decimal(0)
    assert now.cards["单位1"].items is previous.cards["单位1"].items  # reused, not rescored
    assert now.cards["单位1"].rank == 1 and now.cards["单位0"].rank == len(UNITS)


def test_cached_incremental_cards_match_a_cold_pipeline(lvliang):
    """Writes through chat, then staff 排名/单位 from the warm (incremental) pipeline and from a
    cold one on the same ledger must agree at every step."""
    from bot.app import make_pipeline
    lvliang.unit("市民政局二", "mz2")
    steps = [("sw1", "报送 信用承诺 35"), ("mz1", "报送 信用承诺 10"), ("mz2", "报送 信用承诺 35"),
             ("sw1", "月报 8月工作"), ("staff1", "扣分 市民政局 乱收费 通报"),
             ("mz1", "报送 红黑名单 是"), ("staff1", "审核 市税务局 信用承诺 驳回 无盖章"),
             ("sw1", "报送 信用承诺 36"), ("staff1", "扣分 市税务局 重大失信事件 排名下滑")]
    for user, text in steps:
        lvliang.chat(user, text)
        warm = [lvliang.chat("staff1", q) for q in ("排名", "单位 市税务局", "单位 市民政局")]
        cold_pipeline = make_pipeline(lvliang.settings)
        cold_pipeline.clock = lambda: lvliang.now
        cold = [cold_pipeline.handle(lvliang.message("staff1", q)).text
                for q in ("排名", "单位 市税务局", "单位 市民政局")]
        assert warm == cold, text
    assert lvliang.pipeline.cards.hits > 0
