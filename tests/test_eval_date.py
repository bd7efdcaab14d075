"""Condition (t): the date is known to every party — the same clock for the platform, (a) and (b).

The planted world of test_eval_crossdomain, with listing dates: book p was listed just after film
80 + p, and the evaluated user's newest product is that film. Titles say nothing, so only the
clock can find the target at k = 0."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from selfdex.eval.cross_run import run_cross_platform
from selfdex.eval.datasets import CrossDomainData, listing_quantiles
from selfdex.eval.protocols import (
    AGENT_A,
    AGENT_B,
    DATE_A,
    DATE_B,
    DATE_KNOWN,
    DATE_PLATFORM,
    XD_DATE_B,
    CrossPlatformConfig,
    date_closeness,
)
from selfdex.eval.report import readme_section, write_report
from selfdex.rank import TextVectors

from .test_eval_crossdomain import N_PAIRS, SECRET, planted
from .test_eval_protocol import HashEmbedder


def dated() -> CrossDomainData:
    world = planted()
    listed = {p: p / N_PAIRS + 1e-3 for p in range(N_PAIRS)}  # book p
    listed |= {N_PAIRS + p: p / N_PAIRS for p in range(N_PAIRS)}  # film 80 + p, just before it
    listed[SECRET] = 0.0
    items = [dataclasses.replace(m, listed=listed[m.idx]) for m in world.items]
    # The evaluated user's history: the paired film and the (oldest) secret film only, so the
    # newest product they have is the film listed just before the target.
    cases = {
        split: [
            dataclasses.replace(
                c,
                history=(N_PAIRS + c.target, SECRET),
                exclude=frozenset({N_PAIRS + c.target, SECRET, c.target}),
            )
            for c in getattr(world, split)
        ]
        for split in ("valid", "test")
    }
    return dataclasses.replace(world, items=items, valid=cases["valid"], test=cases["test"])


def test_listing_quantiles_follow_asin_order() -> None:
    q = listing_quantiles(["B00J000000", "B000000001", "0345391802", "B000000001"])
    assert q[2] < q[1] == q[3] < q[0]
    assert all(0 <= x < 1 for x in q)


def test_date_closeness_reads_the_history_only() -> None:
    world = dated()
    cands = list(range(N_PAIRS))
    c = date_closeness(world, [N_PAIRS + 7, SECRET], cands)
    assert c is not None and int(np.argmax(c)) == 7 and c.max() == 1.0
    # "now" is the newest product in the history: adding an older one changes nothing.
    older = date_closeness(world, [N_PAIRS + 7, SECRET, N_PAIRS + 3], cands)
    assert older is not None and np.array_equal(c, older)
    # No listing order in the data: no clock.
    assert date_closeness(planted(), [N_PAIRS + 7], cands) is None


def test_condition_t_gives_everyone_the_same_clock(tmp_path: Path) -> None:
    world = dated()
    cfg = CrossPlatformConfig("dated", ks=(0, None), baselines=("Pop", "ItemKNN"), n_boot=200)
    res = run_cross_platform(world, TextVectors(HashEmbedder(32)), cfg)
    k0 = res.ranks["k=0"]
    assert set(DATE_KNOWN) <= set(k0)
    # k = 0: titles say nothing and the platform knows nothing, but the clock finds the target for
    # the platform and for (a), which sees no history at all: it is not the person's data at work.
    assert (k0[DATE_PLATFORM] == 1).mean() > 0.9 and (k0[DATE_A] == 1).mean() > 0.9
    assert (k0[DATE_B] == 1).mean() > 0.9
    assert (k0[AGENT_A] == 1).mean() < 0.5
    assert res.weights["k=0"][DATE_A]["date_closeness"] > 0
    # (a) and (b) themselves are exactly what they are without the clock.
    off = run_cross_platform(world, TextVectors(HashEmbedder(32)), dataclasses.replace(cfg, date_known=False))
    for kl in ("k=0", "full"):
        assert not (set(DATE_KNOWN) | {XD_DATE_B}) & set(off.ranks[kl])
        for m in ("Pop", "ItemKNN", AGENT_A, AGENT_B):
            assert (off.ranks[kl][m] == res.ranks[kl][m]).all()
    # Reported in its own table with paired CIs, never in (a)/(b)'s table.
    paths = write_report(tmp_path, res, embedder="hash", checksums=world.checksums, plots=False)
    summ = json.loads(paths["json"].read_text())["results"]["by_k"]["k=0"]
    plat = summ["platform_for_agent"]
    assert summ["date_diffs"][f"(t) platform + date − {plat} NDCG@10"]["low"] > 0
    assert "(t) (b) + date − (t) (a) + date NDCG@10" in summ["date_diffs"]
    md = paths["md"].read_text()
    assert "What knowing the date is worth" in md
    assert DATE_PLATFORM not in md.split("**What knowing the date")[0]
    assert "With the date known to every party" in readme_section(tmp_path)
    # Condition (c) on top of the date is compared with (t)(b), not with (b).
    assert "(c) (t)(b) + co-occurrence − (t) (b) + date NDCG@10" in summ["cross_domain_diffs"]


def test_no_listing_order_no_condition_t() -> None:
    world = planted()
    cfg = CrossPlatformConfig("planted", ks=(0,), baselines=("Pop",), n_boot=50, other_users=False)
    res = run_cross_platform(world, TextVectors(HashEmbedder(32)), cfg)
    assert not set(DATE_KNOWN) & set(res.ranks["k=0"])
