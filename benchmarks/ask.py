"""``ask`` on counting, ranking, listing and first/last questions over the sample person, exact-match.

    python benchmarks/ask.py [--model embedded-0.5b] [--every K] [--limit N] [--out benchmarks/results/ask.md]

Every expected answer is computed here from the generator's ground truth (``selfdex.sample.person``:
her plays, film viewings, books' dates, podcast plays, Netflix views), never from the store or from
what ``ask`` prints, so an importer or aggregate bug shows up as a wrong answer. The counting rules
are the ones a person would use and the ones ``ask`` documents: a listen is a play of 30 s or more
(her skips are shorter), one listening scrobbled to Last.fm is one listen, windows are UTC dates.

Scoring, per question:
- **value** (exact match): the answer's aggregate value equals the truth — the same number, date or
  title; the same set for lists and for a tie at the top; for a top-k, the i-th item has the i-th
  highest true count (any order within a tie);
- **text**: the answer the person reads states the expected result (every title, the number, the
  date). With ``--model``, this is the score that matters: the model only phrases the aggregate.
"""

from __future__ import annotations

import argparse
import os
import platform as _platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from selfdex.agent import ask  # noqa: E402
from selfdex.ingest import import_path  # noqa: E402
from selfdex.sample import generate  # noqa: E402
from selfdex.sample.person import BOOKS, FILMS, PODCASTS, SHOWS, Person, Play  # noqa: E402
from selfdex.sample.platforms.netflix import PROFILE, _views  # noqa: E402
from selfdex.sample.platforms.spotify import _podcast_plays  # noqa: E402
from selfdex.store import Store  # noqa: E402

MIN_LISTEN_MS = 30_000


@dataclass
class Question:
    text: str
    kind: str  # int | date | title | set | top1 | topk | none
    expected: Any
    counts: dict[str, int] | None = None  # top-k: every candidate's true count


# -- ground truth ---------------------------------------------------------------------------------


def _utc_day(when: datetime) -> date:
    return when.date()  # Person's instants are UTC


def _within(d: date, since: date | None, until: date | None) -> bool:
    return (since is None or d >= since) and (until is None or d < until)


def _year(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y + 1, 1, 1)


def _scrobbled(p: Play) -> bool:
    """Last.fm's rule, as its writer applies it: Spotify plays over 30 s, half the track or 4 minutes."""
    t = p.track
    return (
        p.platform == "spotify" and t.duration_ms > 30_000 and p.ms_played >= min(t.duration_ms / 2, 240_000)
    )


def _top(counter: Counter[str]) -> list[str]:
    best = max(counter.values())
    return sorted(k for k, v in counter.items() if v == best)


def truth(person: Person) -> list[Question]:
    listens = [p for p in person.plays() if p.ms_played >= MIN_LISTEN_MS]

    def plays(
        since: date | None = None,
        until: date | None = None,
        where: Callable[[Play], bool] = lambda p: True,
    ) -> list[Play]:
        return [p for p in listens if _within(_utc_day(p.when), since, until) and where(p)]

    def by_track(ps: Iterable[Play]) -> Counter[str]:
        return Counter(p.track.title for p in ps)

    def by_artist(ps: Iterable[Play]) -> Counter[str]:
        return Counter(p.track.artist for p in ps)

    qs: list[Question] = []
    for y in (2023, 2024, 2025):
        qs.append(
            Question(f"what music did I listen to most in {y}?", "top1", _top(by_track(plays(*_year(y)))))
        )
    for y in (2023, 2024):
        qs.append(
            Question(f"which artist did I listen to most in {y}?", "top1", _top(by_artist(plays(*_year(y)))))
        )
    qs.append(Question("which artist did I listen to most?", "top1", _top(by_artist(plays()))))
    for y in (2023, 2024):
        c = by_track(plays(*_year(y)))
        qs.append(
            Question(
                f"what were my top 3 tracks in {y}?", "topk", sorted(c.values(), reverse=True)[:3], dict(c)
            )
        )
    c5 = by_artist(plays())
    qs.append(Question("who are my top 5 artists?", "topk", sorted(c5.values(), reverse=True)[:5], dict(c5)))
    qs.append(
        Question(
            "what was Radiohead's most played track?",
            "top1",
            _top(by_track(plays(where=lambda p: p.track.artist == "Radiohead"))),
        )
    )
    qs.append(
        Question(
            "which Hans Zimmer track did I listen to most in 2024?",
            "top1",
            _top(by_track(plays(*_year(2024), lambda p: p.track.artist == "Hans Zimmer"))),
        )
    )
    for title, y in (("Reckoner", 2024), ("Heptapod B", 2023), ("Says", 2025), ("Kerala", None)):
        since, until = _year(y) if y else (None, None)
        n = len(plays(since, until, lambda p, t=title: p.track.title == t))
        when = f" in {y}" if y else ""
        qs.append(Question(f"how many times did I listen to {title}{when}?", "int", n))
    qs.append(
        Question(
            "how many times did I listen to Radiohead?",
            "int",
            len(plays(where=lambda p: p.track.artist == "Radiohead")),
        )
    )
    qs.append(
        Question(
            "how many times did I listen to Hans Zimmer in 2024?",
            "int",
            len(plays(*_year(2024), lambda p: p.track.artist == "Hans Zimmer")),
        )
    )
    qs.append(
        Question(
            "how many times did I listen to Hans Zimmer on Apple Music?",
            "int",
            len(plays(where=lambda p: p.track.artist == "Hans Zimmer" and p.platform == "apple_music")),
        )
    )
    qs.append(
        Question(
            "how many times did I listen to Heptapod B on Last.fm?",
            "int",
            sum(1 for p in person.plays() if _scrobbled(p) and p.track.title == "Heptapod B"),
        )
    )
    # "last summer", relative to her latest record (2025-06-30): June–August 2024.
    qs.append(
        Question(
            "how many times did I listen to music last summer?",
            "int",
            len(plays(date(2024, 6, 1), date(2024, 9, 1))),
        )
    )
    qs.append(
        Question(
            "how many different tracks did I listen to in 2024?", "int", len(by_track(plays(*_year(2024))))
        )
    )
    for title in ("A Time of Quiet Between the Storms", "Heptapod B"):
        first = min(_utc_day(p.when) for p in plays(where=lambda p, t=title: p.track.title == t))
        qs.append(Question(f"when did I first listen to {title}?", "date", first.isoformat()))
    qs.append(
        Question(
            "when did I last listen to Weird Fishes/Arpeggi?",
            "date",
            max(
                _utc_day(p.when) for p in plays(where=lambda p: p.track.title == "Weird Fishes/Arpeggi")
            ).isoformat(),
        )
    )
    qs.append(Question("when did I last listen to Shape of You?", "none", None))  # every play was a skip
    first_spotify = min(plays(where=lambda p: p.platform == "spotify"), key=lambda p: p.when)
    qs.append(
        Question("what was the first track I listened to on Spotify?", "title", first_spotify.track.title)
    )
    apple = {p.track.title for p in plays(where=lambda p: p.platform == "apple_music")}
    spotify = {p.track.title for p in plays(where=lambda p: p.platform == "spotify")}
    scrobbled = {p.track.title for p in person.plays() if _scrobbled(p)}
    qs.append(
        Question(
            "which tracks did I listen to on both Apple Music and Spotify?", "set", sorted(apple & spotify)
        )
    )
    qs.append(
        Question(
            "which tracks did I listen to on both Apple Music and Last.fm?", "set", sorted(apple & scrobbled)
        )
    )
    qs.append(
        Question(
            "which artists did I listen to on Last.fm?",
            "set",
            sorted({p.track.artist for p in person.plays() if _scrobbled(p)}),
        )
    )
    qs.append(
        Question(
            "which artists did I listen to in March 2024?",
            "set",
            sorted(by_artist(plays(date(2024, 3, 1), date(2024, 4, 1)))),
        )
    )

    # Films: she watched every film once (Netflix when it is there, always logged on Letterboxd).
    watched = {f.title: person.film_watch(f).astimezone(person.tz).date() for f in FILMS}
    for y in (2023, 2024):
        qs.append(
            Question(
                f"which films did I watch in {y}?",
                "set",
                sorted(t for t, d in watched.items() if d.year == y),
            )
        )
    qs.append(
        Question(
            "how many films did I watch in 2024?", "int", sum(1 for d in watched.values() if d.year == 2024)
        )
    )
    qs.append(Question("which Dune films did I watch?", "set", sorted(t for t in watched if "Dune" in t)))
    for title in ("Arrival", "Annihilation", "Blade Runner 2049"):
        qs.append(Question(f"when did I first watch {title}?", "date", watched[title].isoformat()))
    in_2024 = sorted((d, t) for t, d in watched.items() if d.year == 2024)
    qs.append(Question("what was the first film I watched in 2024?", "title", in_2024[0][1]))
    qs.append(
        Question("what was the last film I watched?", "title", max(watched.items(), key=lambda x: x[1])[0])
    )
    qs.append(
        Question(
            "which films did I watch on both Netflix and Letterboxd?",
            "set",
            sorted(f.title for f in FILMS if f.on_netflix),
        )
    )

    # Books: "read" = finished (Goodreads' and StoryGraph's read date).
    finished = {b.title: person.book_dates(b)[1] for b in BOOKS if b.status == "read"}
    qs.append(
        Question(
            "which books did I read in 2023?",
            "set",
            sorted(t for t, d in finished.items() if d and d.year == 2023),
        )
    )
    qs.append(
        Question(
            "how many books did I read in 2024?",
            "int",
            sum(1 for d in finished.values() if d and d.year == 2024),
        )
    )
    qs.append(
        Question(
            "how many books did I read last year?",
            "int",
            sum(1 for d in finished.values() if d and d.year == 2024),
        )
    )
    qs.append(
        Question("what was the last book I read?", "title", max((d, t) for t, d in finished.items() if d)[1])
    )
    qs.append(
        Question(
            "which books by Kazuo Ishiguro did I read?",
            "set",
            sorted(b.title for b in BOOKS if b.author == "Kazuo Ishiguro" and b.status == "read"),
        )
    )
    messiah = finished["Dune Messiah"]
    assert messiah is not None
    qs.append(Question("when did I read Dune Messiah?", "set", [messiah.isoformat()]))

    # Shows on Netflix (her profile; the partner's profile is not her viewing).
    views = [v for v in _views(person) if v.profile == PROFILE and not v.supplemental]
    qs.append(Question("which shows did I watch?", "set", sorted(s.title for s in SHOWS)))
    qs.append(
        Question(
            "how many episodes of Dark did I watch?",
            "int",
            len({v.title for v in views if v.title.startswith("Dark: Season")}),
        )
    )
    first_md = min(v.start for v in views if v.title.startswith("Midnight Diner: Tokyo Stories: Season"))
    qs.append(Question("when did I first watch Midnight Diner?", "date", _utc_day(first_md).isoformat()))

    # Runs: Strava and Apple Health record each one (under their own names).
    from selfdex.sample.platforms.strava import runs

    sessions = runs(person)
    for y in (2023, 2024):
        n = sum(1 for r in sessions if r.start.year == y)
        qs.append(Question(f"how many runs did I do in {y}?", "int", n))
    qs.append(
        Question(
            "how many times did I exercise in 2025?", "int", sum(1 for r in sessions if r.start.year == 2025)
        )
    )
    qs.append(
        Question("when did I last exercise?", "date", max(r.start for r in sessions).date().isoformat())
    )

    # Podcasts on Spotify.
    pods = _podcast_plays(person)
    qs.append(Question("which podcasts did I listen to?", "set", sorted(p.show for p in PODCASTS)))
    qs.append(
        Question(
            "how many times did I listen to Trail Runner Nation?",
            "int",
            sum(1 for _, show, _, _ in pods if show == "Trail Runner Nation"),
        )
    )
    return qs


# -- scoring -------------------------------------------------------------------------------------


def _fold(values: Iterable[Any]) -> set[str]:
    return {str(v).casefold() for v in values}


def score_value(q: Question, value: Any) -> bool:
    if q.kind == "none":
        return value in (None, [], 0)
    if value is None:
        return False
    if q.kind in ("set", "top1"):
        return isinstance(value, list) and len(value) == len(set(value)) and _fold(value) == _fold(q.expected)
    if q.kind == "topk":
        counts = {k.casefold(): v for k, v in (q.counts or {}).items()}
        if not isinstance(value, list) or len(value) != len(q.expected) or len(set(value)) != len(value):
            return False
        return [counts.get(str(v).casefold()) for v in value] == q.expected
    if q.kind == "int":
        return isinstance(value, int) and value == q.expected
    return str(value).casefold() == str(q.expected).casefold()


def score_text(q: Question, answer: str, value: Any) -> bool:
    text = answer.casefold()
    if q.kind == "none":
        return "no record" in text
    if q.kind == "topk":  # the right items (checked on the value) must be the ones named
        return score_value(q, value) and all(str(v).casefold() in text for v in value)
    if q.kind == "int":
        return any(s in text for s in (f"{q.expected} ", f"{q.expected:,} "))
    expected = q.expected if isinstance(q.expected, list) else [q.expected]
    return all(str(e).casefold() in text for e in expected)


SCALE_QUESTIONS = (
    "what music did I listen to most in 2016?",
    "which artist did I listen to most?",
    "how many times did I listen to music in 2016?",
    "which podcasts did I listen to?",
    "how many different tracks did I listen to?",
)


def _at_scale(store: Store, tmp: Path, streams: int) -> list[tuple[str, int, float]]:
    from selfdex.sample.platforms.spotify import write_extended_history

    path = write_extended_history(tmp / "big" / "Streaming_History_Audio_2016-2020_0.json", streams)
    import_path(store, path.parent)
    out = []
    for q in SCALE_QUESTIONS:
        t0 = time.perf_counter()
        a = ask(store, q)
        out.append((q, int((a.aggregate or {}).get("records") or 0), time.perf_counter() - t0))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", help="also answer through this configured model (public backend interface)"
    )
    parser.add_argument("--limit", type=int, help="only the first N questions (for a slow model)")
    parser.add_argument(
        "--every", type=int, default=1, help="only every K-th question (a spread, for a slow model)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ask.md")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--streams",
        type=int,
        default=0,
        help="then time aggregate questions on the store plus N generated Spotify streams (latency only)",
    )
    args = parser.parse_args()

    questions = truth(Person(seed=7))[:: args.every][: args.limit]
    backend = None
    if args.model:
        from selfdex.agent.backends import open_backend
        from selfdex.agent.config import resolve_model

        spec = resolve_model(args.model)
        backend = open_backend(spec) if spec is not None else None
    with tempfile.TemporaryDirectory(prefix="selfdex-ask-bench-") as tmp:
        exports = Path(tmp) / "exports"
        bundles = generate(exports, seed=7)
        with Store(Path(tmp) / "store.sqlite") as store:
            for bundle in bundles:
                import_path(store, bundle)
            rows = []
            for q in questions:
                t0 = time.perf_counter()
                a = ask(store, q.text)
                dt = time.perf_counter() - t0
                value = a.aggregate["value"] if a.aggregate else None
                row: dict[str, Any] = {
                    "q": q,
                    "value": value,
                    "ok": score_value(q, value),
                    "text_ok": score_text(q, a.answer, value),
                    "s": dt,
                }
                if backend is not None:
                    t0 = time.perf_counter()
                    m = ask(store, q.text, backend=backend)
                    row["model_s"] = time.perf_counter() - t0
                    row["model_ok"] = score_text(q, m.answer, value)
                    row["model_mode"] = m.mode
                rows.append(row)
                if args.verbose or not row["ok"]:
                    mark = "ok " if row["ok"] else "BAD"
                    print(f"{mark} {q.text!r}: expected {q.expected!r}, got {value!r}", file=sys.stderr)
            scale = _at_scale(store, Path(tmp), args.streams) if args.streams else []
    n = len(rows)
    ok = sum(r["ok"] for r in rows)
    text_ok = sum(r["text_ok"] for r in rows)
    cmd = "python benchmarks/ask.py" + (f" --model {args.model}" if args.model else "")
    cmd += f" --every {args.every}" if args.every > 1 else ""
    cmd += f" --streams {args.streams}" if args.streams else ""
    cmd += f" --limit {args.limit}" if args.limit else ""
    lines = [
        "# ask: counting, ranking, listing and first/last questions (sample person)",
        "",
        f"`{cmd}` — {_platform.python_implementation()} {_platform.python_version()}, {datetime.now():%Y-%m-%d}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "",
        "| answered by | questions | exact value correct | answer text states it | median s |",
        "|---|---:|---:|---:|---:|",
        f"| no model (aggregate, extractive) | {n} | {ok} ({ok / n:.0%}) | {text_ok} ({text_ok / n:.0%}) | "
        f"{sorted(r['s'] for r in rows)[n // 2]:.2f} |",
    ]
    if backend is not None:
        mok = sum(r["model_ok"] for r in rows)
        fell = sum(r["model_mode"] == "extractive" for r in rows)
        lines.append(
            f"| {args.model} (phrasing the aggregate; {fell} fell back to the extractive answer) | {n} | – | "
            f"{mok} ({mok / n:.0%}) | {sorted(r['model_s'] for r in rows)[n // 2]:.2f} |"
        )
    if scale:
        lines += [
            "",
            f"At scale: the same store plus {args.streams:,} generated Spotify streams "
            f"(`--streams {args.streams}`), latency of aggregate questions, no model:",
            "",
            "| question | records counted | seconds |",
            "|---|---:|---:|",
            *(f"| {q} | {n:,} | {dt:.2f} |" for q, n, dt in scale),
        ]
    lines += ["", "| question | expected | value | exact | text |", "|---|---|---|---|---|"]
    for r in rows:
        q = r["q"]
        lines.append(
            f"| {q.text} | {q.expected} | {r['value']} | {'✓' if r['ok'] else '✗'} | {'✓' if r['text_ok'] else '✗'} |"
        )
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print("\n".join(lines[:8]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
