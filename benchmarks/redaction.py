"""Redaction recall on a labelled set: how many identifiers survive the gate's redactor.

The set is generated from templates (seeded, so it is the same set every run): each example is a
sentence in English or German with one labelled identifier — e-mail addresses (plain and
obfuscated), phone numbers (DE, US, UK, FR, with every separator people use), card numbers
(Luhn-valid Visa, Mastercard, Amex), IBANs, coordinates (decimal and DMS), street addresses and
postcodes, and names of other people in messages. An identifier counts as caught when its exact text
is gone from the output (coordinates: when the precise value is gone; they are rounded, not removed).
Negatives (titles, prices, dates, order numbers, times) measure what is removed that should not be.

    python benchmarks/redaction.py          # prints the table, writes benchmarks/results/redaction.md
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from selfdex.gate.redact import Redactor, luhn_ok

RESULTS = Path(__file__).resolve().parent / "results" / "redaction.md"
STRUCTURED = ("email", "phone", "card", "iban", "coords")

FIRST = [
    "Jonas",
    "Lea",
    "Anna",
    "Lukas",
    "Sofia",
    "Mehmet",
    "Aylin",
    "Piotr",
    "Chloé",
    "Björn",
    "Emma",
    "Noah",
]
LAST = ["Müller", "Schmidt", "Berg", "Yilmaz", "Kowalski", "Dubois", "Larsen", "Fischer", "Nguyen", "Rossi"]
DOMAINS = [
    "example.com",
    "mail.example.org",
    "posteo.de",
    "gmx.net",
    "uni-berlin.de",
    "web.de",
    "firma.co.uk",
]
STREETS_DE = [
    "Kastanienallee",
    "Karl-Marx-Straße",
    "Oranienstraße",
    "Torstr.",
    "Schönhauser Allee",
    "Sonnenallee",
    "Bergmannstraße",
    "Kollwitzplatz",
    "Landsberger Allee",
    "Mehringdamm",
    "Paul-Lincke-Ufer",
]
STREETS_PREP = ["Am Kupfergraben", "Unter den Linden", "An der Urania", "Im Dol", "Alt-Moabit"]
STREETS_EN = [
    "Baker Street",
    "Pennsylvania Avenue NW",
    "Fifth Avenue",
    "Elm Road",
    "Sunset Boulevard",
    "Maple Lane",
    "Ocean Drive",
    "Abbey Road",
    "Park Place",
    "Church Street",
]
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Potsdam"]

TEMPLATES = {
    "email": [
        "Write to {v} if anything changes.",
        "Meine Adresse: {v}",
        "cc: {v}",
        "({v})",
        "{v}",
        "Send the list to {v} asap",
        "Kontakt unter {v}.",
    ],
    "phone": [
        "Call me at {v} tomorrow.",
        "Meine Nummer: {v}",
        "Tel. {v}",
        "mobile {v}, evenings only",
        "{v}",
        "ruf an unter {v}!",
        "Phone: {v} (office)",
    ],
    "card": ["Card number {v}, exp 08/27", "Karte: {v}", "charged to {v}", "{v}", "use {v} for the booking"],
    "iban": [
        "IBAN {v}",
        "Bitte überweisen an {v}.",
        "account {v} (Sparkasse)",
        "{v}",
        "to IBAN: {v}, BIC ABCDEFGH",
    ],
    "coords": ["We met at {v}.", "pin: {v}", "GPS {v}", "{v}", "Treffpunkt ({v})"],
    "address": ["I live at {v}.", "Wohnung: {v}", "deliver to {v}, 2nd floor", "{v}", "Party bei mir, {v}!"],
    "person": [
        "Hi {v},\n\nsee you Saturday.",
        "Dinner with {v} on Friday.",
        "Thanks, {v}",
        "Dear {v},",
        "Hallo {v}, kommst du mit?",
        "I met {v} at the Lauftreff.",
        "Best,\n{v}",
    ],
}
NEGATIVES = [
    "Dune: Part Two (4K Ultra HD + Blu-ray) EUR 24,99",
    "Order #302-6684414-6506583 shipped",
    "Miete 01/2023 Whg. 3.02",
    "Thursday runs continue at 18:30 from S Grunewald.",
    "10–14 km, easy pace.",
    "Shun Classic 8-inch Chef's Knife",
    "Kinto Kakomi Donabe Rice Cooker, 2.5 L",
    "Never Let Me Go by Kazuo Ishiguro",
    "Blade Runner 2049 (2017)",
    "Hans Zimmer – Dune (Original Motion Picture Soundtrack)",
    "Rated 4.5 out of 5 on 2024-03-02",
    "Klara and the Sun: Ishiguro does it again",
    "Heptapod B on repeat. #TedChiang",
    "ISBN 978-0-441-01359-3",
    "Track 7 of 12, 3:45",
    "Version 2.13.4 released",
    "Run: 21.1 km in 1:52:30",
    "Temperature 21.5 °C",
    "Kewpie Japanese Mayonnaise 500 g",
    "Season 2, Episode 10",
    "2023-05-28 Debitk.99 VISA Debit",
]


@dataclass(frozen=True)
class Example:
    category: str
    text: str
    value: str  # the labelled identifier, as it appears in text


def _card(rng: random.Random) -> str:
    prefix, length, groups = rng.choice(
        [("4", 16, (4, 4, 4, 4)), ("5", 16, (4, 4, 4, 4)), ("37", 15, (4, 6, 5))]
    )
    while True:
        digits = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        if luhn_ok(digits):
            break
    sep = rng.choice([" ", "-", ""])
    parts, i = [], 0
    for g in groups:
        parts.append(digits[i : i + g])
        i += g
    return sep.join(parts)


def _phone(rng: random.Random) -> str:
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    return rng.choice(
        [
            f"+49 30 {d(7)}",
            f"+49 (0)30 {d(4)} {d(3)}",
            f"030 {d(8)}",
            f"030/{d(7)}",
            f"0176 {d(8)}",
            f"0176-{d(4)}-{d(4)}",
            f"+49 176 {d(3)} {d(5)}",
            f"0049 40 {d(6)}",
            f"+1 415 555 {d(4)}",
            f"(415) 555-{d(4)}",
            f"415-555-{d(4)}",
            f"415.555.{d(4)}",
            f"+44 20 7946 {d(4)}",
            f"020 7946 {d(4)}",
            f"+33 1 42 68 {d(2)} {d(2)}",
            f"+491761234{d(3)}",
        ]
    )


def _iban(rng: random.Random) -> str:
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    raw = rng.choice(
        [
            f"DE{d(2)}{d(18)}",
            f"GB{d(2)}NWBK{d(14)}",
            f"FR{d(2)}{d(23)}",
            f"NL{d(2)}ABNA{d(10)}",
            f"ES{d(2)}{d(20)}",
        ]
    )
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.6 else raw


def _email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    user = rng.choice(
        [f"{first}.{last}", f"{first[0]}{last}", f"{first}+news", f"{last}{rng.randrange(100)}"]
    )
    user = user.lower().translate(str.maketrans("äöüéø", "aoueo"))
    domain = rng.choice(DOMAINS)
    name, _, tld = domain.rpartition(".")
    return rng.choice(
        [
            f"{user}@{domain}",
            f"{user}@{domain}",
            f"{user.upper()}@{domain}",
            f"{user} [at] {name} [dot] {tld}",
            f"{user} at {name.replace('.', ' dot ')} dot {tld}",
            f"{user}(at){domain}",
        ]
    )


def _coords(rng: random.Random) -> str:
    lat, lon = rng.uniform(-60, 70), rng.uniform(-170, 170)
    if rng.random() < 0.2:
        return (
            f"{int(abs(lat))}°{rng.randrange(60)}′{rng.randrange(60)}″{'N' if lat > 0 else 'S'} "
            f"{int(abs(lon))}°{rng.randrange(60)}′{rng.randrange(60)}″{'E' if lon > 0 else 'W'}"
        )
    k = rng.choice([4, 5, 6, 7])
    return f"{lat:.{k}f}{rng.choice([', ', ',', ' '])}{lon:.{k}f}"


def _address(rng: random.Random) -> str:
    n = f"{rng.randrange(1, 200)}{rng.choice(['', '', 'a', 'b'])}"
    return rng.choice(
        [
            f"{rng.choice(STREETS_DE)} {n}",
            f"{rng.choice(STREETS_DE)} {n}, {rng.randrange(10115, 14199)} {rng.choice(CITIES)}",
            f"{rng.choice(STREETS_PREP)} {n}",
            f"{rng.randrange(1, 2000)} {rng.choice(STREETS_EN)}",
            f"{rng.randrange(1, 99)} rue de la {rng.choice(['Paix', 'Roquette', 'Gare'])}",
            f"{rng.randrange(10115, 14199)} {rng.choice(CITIES)}",
            f"SW1A {rng.randrange(1, 9)}AA",
        ]
    )


def _person(rng: random.Random) -> str:
    return rng.choice([rng.choice(FIRST), f"{rng.choice(FIRST)} {rng.choice(LAST)}"])


GENERATORS = {
    "email": _email,
    "phone": _phone,
    "card": _card,
    "iban": _iban,
    "coords": _coords,
    "address": _address,
    "person": _person,
}


def labelled_set(per_category: int = 200, seed: int = 7) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for category, gen in GENERATORS.items():
        for _ in range(per_category):
            value = gen(rng)
            out.append(Example(category, rng.choice(TEMPLATES[category]).format(v=value), value))
    return out


def caught(redactor: Redactor, ex: Example) -> bool:
    return ex.value not in redactor.redact(ex.text)


def measure(redactor: Redactor, examples: list[Example]) -> dict[str, tuple[int, int]]:
    """Per category: (caught, total)."""
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for ex in examples:
        total[ex.category] += 1
        hit[ex.category] += caught(redactor, ex)
    return {c: (hit[c], total[c]) for c in total}


def false_positives(redactor: Redactor) -> tuple[int, int]:
    changed = sum(redactor.redact(t) != t for t in NEGATIVES)
    return changed, len(NEGATIVES)


def table(per_category: int = 200, seed: int = 7) -> tuple[str, dict[str, tuple[int, int]]]:
    # No gazetteer: names must be found from context alone (in the gate, the person's correspondents
    # are also looked up by name, which only raises recall).
    redactor = Redactor()
    results = measure(redactor, labelled_set(per_category, seed))
    rows = ["| category | caught / labelled | recall |", "|---|---|---|"]
    for cat, (h, n) in results.items():
        rows.append(f"| {cat}{' (structured)' if cat in STRUCTURED else ''} | {h} / {n} | {h / n:.3f} |")
    sh = sum(results[c][0] for c in STRUCTURED)
    sn = sum(results[c][1] for c in STRUCTURED)
    rows.append(f"| **all structured identifiers** | {sh} / {sn} | **{sh / sn:.3f}** |")
    fp, fn = false_positives(redactor)
    rows.append(f"| negatives changed (false positives) | {fp} / {fn} | — |")
    return "\n".join(rows), results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-category", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    text, _ = table(args.per_category, args.seed)
    doc = (
        "# Redaction recall\n\n"
        f"Command: `python benchmarks/redaction.py --per-category {args.per_category} --seed {args.seed}`\n\n{text}\n"
    )
    print(doc)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(doc)


if __name__ == "__main__":
    main()
