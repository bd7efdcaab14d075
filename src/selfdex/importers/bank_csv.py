"""Bank account CSV downloads: DKB (Germany) giro, credit-card and legacy layouts, and Mint's
``transactions.csv``.

DKB quirks: ``;``-separated and fully quoted; a preamble (account, balance, filters) precedes the table,
so the header row is found by its column names; dates ``DD.MM.YY`` (legacy ``DD.MM.YYYY``); amounts
with a decimal comma, a thousands dot and a no-break space before ``€`` (``-1.234,56\u00a0€``); the 2023+
files are UTF-8 (credit card with a BOM), the legacy ones ISO-8859-1. Mint writes ``M/D/YYYY`` and
always-positive amounts whose sign lives in ``Transaction Type`` (debit/credit).

Each row becomes "paid" (money left) or "received" with the counterparty (the merchant for a purchase)
as the title. Identical rows in one file (two coffees, same day, same price) are kept apart by their
occurrence number, while the same file imported twice still deduplicates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_date
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, iter_csv

# canonical field → header spellings, most specific first
_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("Buchungsdatum", "Buchungstag", "Belegdatum", "Date"),
    "value_date": ("Wertstellung",),
    "amount": ("Betrag (€)", "Betrag (EUR)", "Betrag", "Amount"),
    "payer": ("Zahlungspflichtige*r",),
    "payee": ("Zahlungsempfänger*in",),
    "counterparty": ("Auftraggeber / Begünstigter", "Beschreibung", "Description"),
    "original": ("Original Description",),
    "purpose": ("Verwendungszweck", "Notes"),
    "type": ("Umsatztyp", "Buchungstext", "Transaction Type"),
    "status": ("Status",),
    "iban": ("IBAN", "Kontonummer"),
    "category": ("Category",),
    "labels": ("Labels",),
    "account": ("Account Name",),
    "creditor_id": ("Gläubiger-ID",),
    "mandate": ("Mandatsreferenz",),
    "reference": ("Kundenreferenz",),
    "foreign_amount": ("Fremdwährungsbetrag", "Ursprünglicher Betrag"),
}
_DATE_HEADERS = frozenset(_COLUMNS["date"])
_AMOUNT_HEADERS = frozenset(_COLUMNS["amount"])
_MINT_HEADER = ["Date", "Description", "Original Description", "Amount", "Transaction Type", "Category"]
_ACCOUNT_KEYS = ("girokonto", "kontonummer:", "karte", "kreditkarte:", "tagesgeld")
_PREAMBLE_KEYS = ("zeitraum:", "kontostand", "kontostand vom", "iban:", "kontoinhaber:", "von:", "bis:")
_CURRENCY = {"€": "EUR", "EUR": "EUR", "$": "USD", "USD": "USD"}
_PREAMBLE_LINES = 40
_Get = Callable[[str], str | None]  # a canonical field's cell in the current row


def _decode_head(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when the bytes are UTF-8 (a cut multi-byte char at the end is fine)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8"), "utf-8-sig"
        return data.decode("latin-1"), "latin-1"


def _layout(entry: Entry) -> tuple[str, str, int, list[str], list[list[str]]] | None:
    """(kind "dkb"|"mint", encoding, lines before the header, header, preamble rows) or None."""
    text, encoding = _decode_head(entry.head(16384))
    lines = text.splitlines()
    for i, line in enumerate(lines[:_PREAMBLE_LINES]):
        delimiter = ";" if line.count(";") >= line.count(",") else ","
        try:
            cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        except (StopIteration, csv.Error):
            continue
        if cells[: len(_MINT_HEADER)] == _MINT_HEADER:
            return "mint", encoding, i, cells, []
        if delimiter == ";" and _DATE_HEADERS & set(cells) and _AMOUNT_HEADERS & set(cells):
            preamble = [next(csv.reader([p], delimiter=";"), []) for p in lines[:i] if p.strip()]
            return "dkb", encoding, i, cells, preamble
    return None


def _statement_preamble(entry: Entry) -> bool:
    text, _ = _decode_head(entry.head(4096))
    for line in text.splitlines()[:_PREAMBLE_LINES]:
        first = line.split(";", 1)[0].strip().strip('"').strip().lower()
        if ";" in line and (first in _ACCOUNT_KEYS or first in _PREAMBLE_KEYS):
            return True
    return False


def _mask(text: str) -> str:
    compact = re.sub(r"[\W_]", "", text.split("/")[0])
    return "*" * max(0, len(compact) - 4) + compact[-4:]


def _parse_day(text: str, mint: bool) -> datetime | None:
    stamp = parse_date(text, ("%m/%d/%Y",) if mint else ("%d.%m.%y", "%d.%m.%Y", "%Y-%m-%d"))
    return stamp.when if stamp else None


class BankCsvImporter(Importer):
    name = "bank_csv"
    platform = "bank"
    version = "1"
    description = "Bank CSV downloads: DKB giro/credit card (2023+ and legacy) and Mint transactions.csv"
    handles = ("DKB <IBAN>.csv / Umsatzliste*.csv (giro, Visa, legacy)", "Mint transactions.csv")

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        layout = _layout(entry)
        if layout is None:
            # a bank's preamble ("Kontonummer:", "Zeitraum:") before a table we do not know
            return 0.3 if _statement_preamble(entry) else 0.0
        return 0.9 if layout[0] == "dkb" or entry.name.lower() == "transactions.csv" else 0.8

    def parse(self, entry: Entry) -> ParseResult:
        layout = _layout(entry)
        if layout is None:
            yield ImportProblem(
                "looks like a bank statement (account preamble) but no known header row with a booking "
                f"date and an amount was found in the first {_PREAMBLE_LINES} lines: unsupported variant "
                "(try `selfdex import --csv-map`)",
                entry.path,
                excerpt=entry.text_head(200),
                severity="unsupported",
            )
            return
        kind, encoding, skip, header, preamble = layout
        mint = kind == "mint"
        account = _account(preamble)
        keys = {field: next((h for h in names if h in header), None) for field, names in _COLUMNS.items()}
        amount_header = keys["amount"] or ""
        default_currency = (
            "USD" if mint else next((code for sym, code in _CURRENCY.items() if sym in amount_header), "EUR")
        )
        seen: dict[tuple[Any, ...], int] = {}
        for row in iter_csv(entry, delimiter="," if mint else ";", encoding=encoding, skip_lines=skip):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row

            def get(field: str, r: dict[str, str] = r) -> str | None:
                column = keys[field]
                return clean(r.get(column)) if column else None

            yield self._row(entry, index, line, r, get, mint, account, default_currency, seen)

    def _row(
        self,
        entry: Entry,
        index: int,
        line: int,
        r: dict[str, str],
        get: _Get,
        mint: bool,
        account: str | None,
        default_currency: str,
        seen: dict[tuple[Any, ...], int],
    ) -> Record | ImportProblem:
        date_text = get("date") or ""
        when = _parse_day(date_text, mint)
        raw_amount = get("amount") or ""
        amount = to_float(raw_amount, decimal_comma=not mint)
        if when is None or amount is None:
            return ImportProblem(
                f"unreadable date {date_text!r} or amount {raw_amount!r}",
                entry.path,
                index=index,
                line=line,
                excerpt=";".join(r.values())[:200],
            )
        if mint and (get("type") or "").lower() == "debit":
            amount = -abs(amount)
        currency = next(
            (code for sym, code in _CURRENCY.items() if raw_amount.endswith(sym)), default_currency
        )
        if amount < 0:
            title = get("payee") or get("counterparty") or get("payer")
        else:
            title = get("payer") or get("counterparty") or get("payee")
        extra = _extra(get, mint, account)
        same = (when, amount, title, get("purpose"))
        seen[same] = seen.get(same, 0) + 1
        if seen[same] > 1:
            extra["identity"] = str(seen[same])
        category = get("category")
        return Record(
            platform=self.platform,
            action="paid" if amount < 0 else "received",
            item=Item(kind="transaction", title=title, categories=(category,) if category else ()),
            when=when,
            precision="day",
            amount=amount,
            currency=currency,
            text=get("purpose"),
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )


def _account(preamble: list[list[str]]) -> str | None:
    """The statement's own account (masked), from the preamble's last account line."""
    account: str | None = None
    for cells in preamble:
        if len(cells) > 1 and cells[0].strip().lower() in _ACCOUNT_KEYS and cells[1].strip():
            account = _mask(cells[1])
    return account


def _extra(get: _Get, mint: bool, account: str | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for field in ("type", "status", "original", "labels", "creditor_id", "mandate", "reference"):
        if value := get(field):
            extra[field] = value
    if value_date := _parse_day(get("value_date") or "", mint):
        extra["value_date"] = value_date.date().isoformat()
    if foreign := get("foreign_amount"):
        extra["foreign_amount"] = foreign
    if iban := get("iban"):
        extra["counterparty_account"] = _mask(iban)
    if account or get("account"):
        extra["account"] = account or get("account")
    if (get("status") or "").lower() == "vorgemerkt":
        extra["pending"] = True
    return extra
