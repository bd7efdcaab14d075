from __future__ import annotations

from pathlib import Path

from selfdex.importers.bank_csv import BankCsvImporter
from selfdex.sample.person import PRODUCTS, Person
from selfdex.sample.platforms.bank import amazon_charges
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "bank_csv"
    assert set(recognitions(folder).values()) == {"bank_csv"}
    records, problems = parse_path(BankCsvImporter(), folder)
    assert problems == []
    by_file: dict[str, list] = {}
    for r in records:
        assert r.provenance is not None
        by_file.setdefault(r.provenance.member, []).append(r)
    assert {k: len(v) for k, v in by_file.items()} == {
        "dkb_de/cash.csv": 2,
        "dkb_de/giro.csv": 5,
        "dkb_de/visaNew.csv": 6,
        "mint/transactions.csv": 3,
    }
    # DKB 2023+: preamble skipped, DD.MM.YY, thousands dot + decimal comma + NBSP before €
    big, shop, *_ = by_file["dkb_de/giro.csv"]
    assert (big.action, big.amount, big.currency, big.item.title) == ("received", 100000.0, "EUR", "John Doe")
    assert big.when is not None and big.when.date().isoformat() == "2023-08-25" and big.precision == "day"
    assert (shop.action, shop.amount, shop.item.title) == ("paid", -10.22, "SOME COMPANY/SOMEWHERE//DE")
    assert shop.text == "2023-08-24 Debitk.99 VISA Debit"
    assert big.extra["account"] == "*" * 18 + "3334"
    # legacy: ISO-8859-1, long preamble, trailing ';'
    legacy = by_file["dkb_de/cash.csv"][1]
    assert (legacy.item.title, legacy.amount, legacy.extra["creditor_id"]) == (
        "SOME ONLINE SHOP",
        -16.78,
        "Some Glaeubiger ID",
    )
    # credit card with BOM: Belegdatum is the purchase day, Wertstellung kept
    stadia = next(r for r in by_file["dkb_de/visaNew.csv"] if r.item.title == "GOOGLE*STADIA")
    assert stadia.amount == -9.99 and stadia.extra["type"] == "Im Geschäft"
    # Mint: positive amounts, sign from Transaction Type; category kept
    starbucks = by_file["mint/transactions.csv"][0]
    assert (starbucks.action, starbucks.amount, starbucks.currency) == ("paid", -2.45, "USD")
    assert starbucks.item.categories == ("Coffee Shops",) and starbucks.when is not None
    assert starbucks.when.date().isoformat() == "2016-08-10"


def test_sample_person(sample_exports: Path) -> None:
    folder = sample_exports / "dkb"
    assert set(recognitions(folder).values()) == {"bank_csv"}
    records, problems = parse_path(BankCsvImporter(), folder)
    assert problems == []
    amazon = sorted(r.amount for r in records if r.item.title == "AMAZON EU S.A R.L." and r.amount)
    # card payments match her Amazon orders (the kitchen order: knife + donabe), the refund comes back
    assert amazon == sorted(amount for _, amount, _ in amazon_charges(Person(seed=7)))
    assert -(169.95 + 89.00) in amazon and 139.99 in amazon
    assert {-p.price for p in PRODUCTS if p.category in ("Books", "Sports")} <= set(amazon)
    titles = {r.item.title for r in records}
    assert {"Strava Inc.", "Berliner Wohnungsgenossenschaft eG", "Kiezwerk Software GmbH"} <= titles
    assert all(r.currency == "EUR" for r in records)


def test_malformed(tmp_path: Path) -> None:
    (tmp_path / "konto.csv").write_text(
        '"Girokonto";"DE02120300000000202051"\n""\n'
        '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";"Zahlungsempfänger*in";'
        '"Verwendungszweck";"Umsatztyp";"IBAN";"Betrag (€)"\n'
        '"01.03.24";"01.03.24";"Gebucht";"Mara";"Bäckerei";"";"Ausgang";"";"-2,40\u00a0€"\n'
        '"01.03.24";"01.03.24";"Gebucht";"Mara";"Bäckerei";"";"Ausgang";"";"-2,40\u00a0€"\n'
        '"32.03.24";"01.03.24";"Gebucht";"Mara";"X";"";"Ausgang";"";"-1,00\u00a0€"\n'
        '"02.03.24";"too few"\n'
        '"03.03.24";"03.03.24";"Vorgemerkt";"Mara";"Café";"";"Ausgang";"";"-3,10\u00a0€"\n',
        encoding="utf-8",
    )
    records, problems = parse_path(BankCsvImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Bäckerei", "Bäckerei", "Café"]
    # two identical purchases on one day are two events
    assert len({r.id for r in records}) == 3
    assert records[2].extra["pending"] is True
    assert [(p.index, p.line) for p in problems] == [(2, 6), (3, 7)]
    assert "32.03.24" in problems[0].reason
