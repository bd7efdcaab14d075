"""What ``selfdex recommend`` runs (issue 14 item 5): the shipped transfer model ranks a list only
where the eval measured it better — every candidate's popularity disclosed, at most one history
item on the list's platform, the default trust — and the embedded ranker everywhere else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfdex.agent.recommend import CandidateError, load_candidates, recommend
from selfdex.rank import Candidate, EmbeddedRanker, HistoryItem, ShippedRanker, TextVectors, shipped_ranker
from selfdex.rank.build import DEFAULT_TRANSFER, TRANSFER_MAX_WITHIN
from selfdex.rank.transfer import TransferRanker, shipped_model
from selfdex.store import Store

from .test_eval_protocol import HashEmbedder

CROSS = [
    HistoryItem("h1", "space rocket launch", "goodreads", order=1),
    HistoryItem("h2", "jazz piano records", "spotify", order=2),
    HistoryItem("h3", "mars rover documentary", "netflix", order=3),
]
TITLES = ["garden flower seeds", "space rocket model kit", "chess set", "jazz piano songbook"]


def _cands(popularity: list[float | None]) -> list[Candidate]:
    return [
        Candidate(str(i), t, "amazon", position=i, popularity=p)
        for i, (t, p) in enumerate(zip(TITLES, popularity, strict=True))
    ]


@pytest.fixture(scope="module")
def vectors() -> TextVectors:
    return TextVectors(HashEmbedder())


def test_a_new_platform_with_popularity_is_ranked_by_the_transfer_model(vectors: TextVectors) -> None:
    ranker = shipped_ranker(CROSS, vectors=vectors)
    cands = _cands([40, 3, 12, 7])
    out = ranker.rank(CROSS, cands)
    assert ranker.used == "transfer" and ranker.name == f"transfer-{DEFAULT_TRANSFER}"
    expected = TransferRanker(ranker.base, shipped_model(DEFAULT_TRANSFER)).rank(
        CROSS, cands, popularity=[40, 3, 12, 7]
    )
    assert out == expected
    assert sorted(r.candidate.id for r in out) == ["0", "1", "2", "3"]
    assert all(r.cited and r.cited[0] in {"h1", "h2", "h3"} for r in out)  # reasons cite records


@pytest.mark.parametrize(
    ("within", "popularity", "trust"),
    [
        (TRANSFER_MAX_WITHIN + 1, [40, 3, 12, 7], 0.5),  # the platform knows the person: the agent
        (0, [40, None, 12, 7], 0.5),  # one candidate without popularity
        (0, [40, 3, 12, 7], 0.8),  # a trust the person chose
    ],
)
def test_everywhere_else_the_embedded_ranker_ranks(
    vectors: TextVectors, within: int, popularity: list[float | None], trust: float
) -> None:
    hist = CROSS + [HistoryItem(f"w{i}", f"pencil case {i}", "amazon", order=10 + i) for i in range(within)]
    ranker = shipped_ranker(hist, vectors=vectors, trust=trust)
    cands = _cands(popularity)
    out = ranker.rank(hist, cands)
    assert ranker.used == "embedded" and ranker.name == ranker.base.name
    assert out == ranker.base.rank(hist, cands)


def test_exactly_the_limit_still_uses_the_model(vectors: TextVectors) -> None:
    hist = CROSS + [
        HistoryItem(f"w{i}", f"pencil case {i}", "amazon", order=10 + i) for i in range(TRANSFER_MAX_WITHIN)
    ]
    ranker = ShippedRanker(EmbeddedRanker(vectors))
    ranker.rank(hist, _cands([40, 3, 12, 7]))
    assert ranker.used == "transfer"


def test_recommend_says_which_ranker_ranked(tmp_path: Path, vectors: TextVectors) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        listing = [{"title": t, "review_count": n} for t, n in zip(TITLES, [40, 3, 12, 7], strict=True)]
        out = recommend(
            store, listing, platform="amazon", history=CROSS, ranker=shipped_ranker(CROSS, vectors=vectors)
        )
        assert out.ranker == f"transfer-{DEFAULT_TRANSFER}"
        assert any("popularity" in n and out.ranker in n for n in out.notes)
        bare = recommend(
            store,
            [{"title": t} for t in TITLES],
            platform="amazon",
            history=CROSS,
            ranker=shipped_ranker(CROSS, vectors=vectors),
        )
        assert bare.ranker == "embedded-default" and not any("popularity" in n for n in bare.notes)


def test_candidate_files_carry_popularity_and_refuse_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "c.json"
    good.write_text(
        json.dumps([{"title": "Dune", "popularity": "1200"}, {"title": "Heat"}]), encoding="utf-8"
    )
    assert [c.popularity for c in load_candidates(good)] == [1200.0, None]
    csv = tmp_path / "c.csv"
    csv.write_text("title,review_count\nDune,31\n", encoding="utf-8")
    assert load_candidates(csv)[0].popularity == 31.0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"title": "Dune", "popularity": "lots"}]), encoding="utf-8")
    with pytest.raises(CandidateError, match="item 1's popularity 'lots' is not a number"):
        load_candidates(bad)
