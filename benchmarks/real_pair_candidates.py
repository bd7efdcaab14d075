"""List candidate record pairs on the real export samples, for hand-labelling ``benchmarks/data/real_pairs.csv``.

Two sources, so the labels test precision and recall: every pair the linker relates (same entity, related
works, a text about an entity), and near-misses — pairs of different things whose titles share a word
that is not a function word ("Drive" the film and a "Solid State Drive"). Several records of one thing
(plays, diary entries) count once: one row per (platform, kind, action, title). Prints CSV rows without a
label; the person labelling reads both records and writes the label (same / related / about / none, or
topic: the same subject but no work or creator to link, not scored). The labelled file was made from this
list at the time; the linker has changed since, so a run now lists a few pairs more or fewer.

    python benchmarks/real_pair_candidates.py > /tmp/candidates.csv
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from selfdex.ingest import import_path
from selfdex.profile import linkeval
from selfdex.profile.entities import _COLUMNS, link_records
from selfdex.profile.names import FUNCTION_WORDS, fold
from selfdex.store import Store

FORMATS = (Path(__file__).resolve().parent.parent / ".." / "shared" / "formats").resolve()
_SKIP_KINDS = {"place", "trip", "transaction", "health_metric", "workout", "event"}
_PER_WORD = 12  # near-miss pairs kept per shared word (the first ones, in a stable order)
# Words shared by unrelated titles for reasons that say nothing about linking (URLs, site and platform
# boilerplate, Spotify's ad segments, English filler): left out of the near-misses.
_NOISE = frozenset(
    """com https google search streamers listeners gefallt husen example user users episodio temporada season
    data settings account affinity content connected this that have dont how one all what when why more get
    can cant ive ill only other over take use using about between without way new top big good high large
    little first true real part updated products app apple code price organic day days version compatible
    course create creative""".split()  # noqa: SIM905
)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "formats.sqlite")
        import_path(store, FORMATS)
        rows = [dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records ORDER BY id")]
        linking = link_records(rows)
        things: dict[tuple[str, str, str, str], str] = {}
        for r in rows:
            if r["kind"] in _SKIP_KINDS or not r["title"]:
                continue
            things.setdefault((r["platform"], r["kind"], r["action"], r["title"]), r["id"])
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(
            [
                "a_platform",
                "a_kind",
                "a_action",
                "a_title",
                "b_platform",
                "b_kind",
                "b_action",
                "b_title",
                "source",
                "predicted",
            ]
        )
        seen: set[frozenset[str]] = set()
        ids = sorted(things.items(), key=lambda kv: kv[0])
        by_entity: dict[int, list[tuple[tuple[str, str, str, str], str]]] = defaultdict(list)
        for key, rid in ids:
            for ent, _role in linking.record_entities.get(rid, ()):
                by_entity[ent].append((key, rid))
        for _ent, members in sorted(by_entity.items()):
            for (ka, a), (kb, b) in list(combinations(members, 2))[:6]:
                pred = linkeval.predicted_relation(linking, a, b)
                if pred != "none" and frozenset((a, b)) not in seen:
                    seen.add(frozenset((a, b)))
                    out.writerow([*ka, *kb, "linker", pred])
        for src, dst, rel, _ in sorted(linking.links):
            if rel not in linkeval.WORK_RELATIONS:
                continue
            first = next(((k, r) for k, r in ids if linking.entity_of(r) == src), None)
            second = next(((k, r) for k, r in ids if linking.entity_of(r) == dst), None)
            if first and second and frozenset((first[1], second[1])) not in seen:
                seen.add(frozenset((first[1], second[1])))
                relation = linkeval.predicted_relation(linking, first[1], second[1])
                out.writerow([*first[0], *second[0], "linker", relation])
        words: dict[str, list[tuple[tuple[str, str, str, str], str]]] = defaultdict(list)
        for key, rid in ids:
            for w in set(fold(key[3]).split()):
                if w not in FUNCTION_WORDS and len(w) >= 3 and not w.isdigit():
                    words[w].append((key, rid))
        for w, members in sorted(words.items()):
            if len(members) > 40 or w in _NOISE:
                continue
            kept = 0
            for (ka, a), (kb, b) in combinations(members, 2):
                if kept >= _PER_WORD or frozenset((a, b)) in seen or (ka[3] == kb[3] and ka[:2] == kb[:2]):
                    continue
                seen.add(frozenset((a, b)))
                kept += 1
                out.writerow([*ka, *kb, f"word:{w}", linkeval.predicted_relation(linking, a, b)])
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
