"""``selfdex import --csv-map``: a user-written column mapping for a bank selfdex does not know."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.cli.main import cli
from selfdex.importers.csv_map import CsvMapError, CsvMapImporter, CsvMapping, load_mapping
from selfdex.store import Store, queries
from selfdex.testing import entries, parse_path

MAPPING = """
platform = "musterbank"
delimiter = ";"
encoding = "latin-1"
skip_lines = 4
date_format = "%d.%m.%Y"
decimal_comma = true
debit_values = ["S"]

[columns]
date = "Buchungstag"
amount = "Betrag"
currency = "Währung"
title = "Empfänger/Auftraggeber"
description = "Verwendungszweck"
category = "Kategorie"
direction = "Soll/Haben"
extra = ["Saldo"]
"""

STATEMENT = (
    "Kontoinhaber:;Mara Example\n"
    "IBAN:;DE00 1234 5678 9012 3456 78\n"
    "Zeitraum:;01.01.2024 - 31.01.2024\n"
    "\n"
    "Buchungstag;Empfänger/Auftraggeber;Verwendungszweck;Kategorie;Betrag;Währung;Soll/Haben;Saldo\n"
    "02.01.2024;Café Einstein;Kartenzahlung;Essen;4,20;EUR;S;1.995,80\n"
    "02.01.2024;Café Einstein;Kartenzahlung;Essen;4,20;EUR;S;1.991,60\n"
    "03.01.2024;Arbeitgeber GmbH;Gehalt Januar;Einkommen;3.250,00;EUR;H;5.241,60\n"
    "yesterday;Kino International;Dune: Part Two;Freizeit;11,50;EUR;S;5.230,10\n"
    "05.01.2024;Buchhandlung;Project Hail Mary;Bücher;abc;EUR;S;5.230,10\n"
    "06.01.2024;Too;few\n"
    "07.01.2024;Kino International;Dune: Part Two;Freizeit;11,50;;S;5.218,60\n"
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    mapping = tmp_path / "musterbank.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    statement = tmp_path / "Umsaetze_2024.csv"
    statement.write_bytes(STATEMENT.encode("latin-1"))
    return mapping, statement


def test_mapping_reads_the_statement(files: tuple[Path, Path]) -> None:
    mapping, statement = files
    importer = CsvMapImporter(load_mapping(mapping))
    assert importer.platform == "musterbank"
    assert importer.recognize(next(entries(statement))) == 1.0
    records, problems = parse_path(importer, statement)
    cafe, cafe2, salary, cinema = records
    assert cafe.platform == "musterbank" and cafe.action == "paid" and cafe.item.kind == "transaction"
    assert cafe.item.title == "Café Einstein" and cafe.text == "Kartenzahlung"  # Latin-1 decoded
    assert cafe.amount == -4.2 and cafe.currency == "EUR" and cafe.item.categories == ("Essen",)
    assert cafe.when == datetime(2024, 1, 2, tzinfo=UTC) and cafe.precision == "day"
    assert cafe.extra["Saldo"] == "1.995,80"
    assert cafe.id != cafe2.id  # two identical coffees are two payments
    assert salary.action == "received" and salary.amount == 3250.0
    assert cinema.amount == -11.5 and cinema.currency is None  # empty currency, no default
    assert cafe.provenance is not None and cafe.provenance.line == 6
    # bad rows are problems with their lines; the good ones came through
    assert [(p.severity, p.line) for p in problems] == [("error", 9), ("error", 10), ("error", 11)]
    assert "unreadable date 'yesterday'" in problems[0].reason and "%d.%m.%Y" in problems[0].reason
    assert "amount 'abc'" in problems[1].reason
    assert "fields" in problems[2].reason


def test_json_mapping_with_time_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(
        json.dumps(
            {
                "platform": "paypal",
                "currency": "usd",
                "negate": True,
                "date_format": "%m/%d/%Y %H:%M",
                "columns": {"date": "When", "amount": "Amount", "title": "Name", "id": "Tx"},
            }
        )
    )
    (tmp_path / "activity.csv").write_text('When,Name,Amount,Tx\n01/31/2024 18:05,Bandcamp,"1,234.50",T1\n')
    importer = CsvMapImporter(load_mapping(tmp_path / "m.json"))
    (record,), problems = parse_path(importer, tmp_path / "activity.csv")
    assert problems == []
    assert record.amount == -1234.5 and record.currency == "USD" and record.item.ids == {"paypal": "T1"}
    assert record.when == datetime(2024, 1, 31, 18, 5, tzinfo=UTC)
    assert record.precision == "minute" and record.original_tz == "local"


def test_header_without_the_mapped_columns_is_unsupported(files: tuple[Path, Path], tmp_path: Path) -> None:
    mapping, _ = files
    other = tmp_path / "other.csv"
    other.write_text("Date,Payee,Amount\n2024-01-01,X,1.00\n")
    importer = CsvMapImporter(load_mapping(mapping))
    assert importer.recognize(next(entries(other))) == 0.5
    records, problems = parse_path(importer, other)
    assert records == [] and [p.severity for p in problems] == ["unsupported"]
    assert "Buchungstag" in problems[0].reason and "skip_lines" in problems[0].reason


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"columns": {"date": "D", "amount": "A"}}, "missing required key platform"),
        ({"platform": "x"}, "missing [columns]"),
        ({"platform": "x", "columns": {"date": "D"}}, "missing required key columns.amount"),
        ({"platform": "x", "colums": {}}, "unknown key(s) colums"),
        (
            {"platform": "x", "columns": {"date": "D", "amount": "A", "payee": "P"}},
            "unknown column key(s) payee",
        ),
        (
            {"platform": "x", "delimiter": ";;", "columns": {"date": "D", "amount": "A"}},
            "exactly one character",
        ),
        (
            {"platform": "x", "encoding": "klingon", "columns": {"date": "D", "amount": "A"}},
            "unknown encoding",
        ),
        ({"platform": "x", "kind": "loot", "columns": {"date": "D", "amount": "A"}}, "kind 'loot'"),
        (
            {"platform": "x", "date_format": "DD.MM.YYYY", "columns": {"date": "D", "amount": "A"}},
            "% directives",
        ),
        ({"platform": "x", "currency": "Euro", "columns": {"date": "D", "amount": "A"}}, "3-letter ISO"),
        (
            {"platform": "x", "columns": {"date": "D", "amount": "A", "direction": "S/H"}},
            "needs debit_values",
        ),
        ({"platform": "my bank!", "columns": {"date": "D", "amount": "A"}}, "simple name"),
        ({"platform": "x", "decimal_comma": "yes", "columns": {"date": "D", "amount": "A"}}, "true or false"),
    ],
)
def test_bad_mapping_is_a_clear_error(mapping: dict, message: str) -> None:
    with pytest.raises(CsvMapError) as exc:
        CsvMapping.from_dict(mapping, "m.toml")
    assert message in str(exc.value) and str(exc.value).startswith("m.toml: ")


def test_unreadable_mapping_files(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('platform = "x"\n[columns\n')
    with pytest.raises(CsvMapError, match="not valid TOML"):
        load_mapping(tmp_path / "broken.toml")
    with pytest.raises(CsvMapError, match="cannot read"):
        load_mapping(tmp_path / "missing.toml")


def test_cli(files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping, statement = files
    store_path = tmp_path / "store.sqlite"
    monkeypatch.setenv("SELFDEX_STORE", str(store_path))
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "--json", "--csv-map", str(mapping), str(statement)])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)
    assert summary["records_new"] == 4 and summary["problems"] == 3
    again = runner.invoke(cli, ["import", "--json", "--csv-map", str(mapping), str(statement)])
    assert json.loads(again.stdout)[0]["records_new"] == 0  # idempotent
    with Store(store_path) as store:
        (source,) = queries.sources(store)
    assert source["platform"] == "musterbank" and source["records"] == 4
    assert source["importers"] == ["csv_map"]

    bad = tmp_path / "bad.toml"
    bad.write_text('platform = "x"\n')
    result = runner.invoke(cli, ["import", "--csv-map", str(bad), str(statement)])
    assert result.exit_code != 0 and "missing [columns]" in result.output and "Traceback" not in result.output
