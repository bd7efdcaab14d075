"""A CSV importer driven by a small mapping file, for banks (and other CSVs) selfdex does not know yet.

``selfdex import --csv-map mybank.toml statement.csv`` reads ``statement.csv`` with only this importer.
The mapping is TOML (or JSON with the same keys)::

    platform = "musterbank"      # required: the records' platform (shown by `selfdex sources`)
    delimiter = ";"              # one character; default ","
    encoding = "latin-1"         # default "utf-8-sig" (a BOM is dropped)
    skip_lines = 4               # preamble lines before the header row; default 0
    date_format = "%d.%m.%Y"     # strptime format of the date column; default ISO "2024-01-31"
    decimal_comma = true         # amounts written "1.234,56"; default false ("1,234.56")
    currency = "EUR"             # currency when there is no currency column (ISO code)
    negate = false               # true when money leaving the account is written positive (card bills)
    debit_values = ["S", "Soll"] # with columns.direction: the values that mean money left the account
    kind = "transaction"         # the item kind; default "transaction"

    [columns]                    # column names exactly as in the header row
    date = "Buchungstag"         # required
    amount = "Betrag"            # required
    currency = "Währung"         # optional: overrides the fixed currency per row
    title = "Empfänger"          # optional: the counterparty (the merchant of a purchase)
    description = "Verwendungszweck"   # optional: free text, kept as untrusted text
    category = "Kategorie"       # optional
    direction = "Soll/Haben"     # optional: a column that says debit or credit (see debit_values)
    id = "Transaktions-ID"       # optional: the bank's own id of the row
    extra = ["IBAN", "Saldo"]    # optional: more columns kept in the record's extra

Each row becomes ``paid`` (negative amount: money left) or ``received``, dated by day (or, when
``date_format`` has a time, at that wall-clock time with ``original_tz="local"``). Unknown keys, missing required
keys, a delimiter that is not one character, an unknown encoding or kind are a :class:`CsvMapError`
with a message naming the key, raised before anything is read. A header row without the mapped columns
is reported once as an ``unsupported`` problem; a row whose date or amount cannot be read is an
``error`` problem with its line, and the other rows still import. See ``docs/csv-map.md``.
"""

from __future__ import annotations

import codecs
import csv
import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..archive import Entry
from ..model import KINDS, ImportProblem, Item, Precision, Record
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, iter_csv

__all__ = [
    "ColumnTable",
    "CsvMapError",
    "CsvMapImporter",
    "CsvMapping",
    "load_mapping",
    "read_columns",
]

_TOP_KEYS = {
    "platform",
    "delimiter",
    "encoding",
    "skip_lines",
    "date_format",
    "decimal_comma",
    "currency",
    "negate",
    "debit_values",
    "kind",
    "columns",
}
_COLUMN_KEYS = {"date", "amount", "currency", "title", "description", "category", "direction", "id", "extra"}
_SUFFIXES = (".csv", ".txt", ".tsv")


class CsvMapError(ValueError):
    """A mapping file that cannot be used, with the reason."""


@dataclass(frozen=True, slots=True)
class CsvMapping:
    platform: str
    date: str
    amount: str
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    skip_lines: int = 0
    date_format: str | None = None
    decimal_comma: bool = False
    currency: str | None = None
    negate: bool = False
    debit_values: tuple[str, ...] = ()
    kind: str = "transaction"
    currency_column: str | None = None
    title: str | None = None
    description: str | None = None
    category: str | None = None
    direction: str | None = None
    id: str | None = None
    extra: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required_columns(self) -> list[str]:
        optional = (
            self.currency_column,
            self.title,
            self.description,
            self.category,
            self.direction,
            self.id,
        )
        return [self.date, self.amount, *(c for c in optional if c), *self.extra]

    @classmethod
    def from_dict(cls, data: Any, source: str = "mapping") -> CsvMapping:
        """Validate a parsed mapping; every mistake is a :class:`CsvMapError` naming the key."""
        check = _Checker(source)
        if not isinstance(data, dict):
            raise check.fail("the mapping must be a table of keys (see docs/csv-map.md)")
        if unknown := sorted(set(data) - _TOP_KEYS):
            raise check.fail(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_TOP_KEYS))}")
        columns = data.get("columns")
        if not isinstance(columns, dict):
            raise check.fail("missing [columns] table (at least columns.date and columns.amount)")
        if unknown := sorted(set(columns) - _COLUMN_KEYS):
            raise check.fail(
                f"unknown column key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_COLUMN_KEYS))}"
            )
        platform = check.platform(data)
        delimiter = check.delimiter(data)
        encoding = check.encoding(data)
        skip_lines = check.skip_lines(data)
        date_format = check.date_format(data)
        currency = check.currency(data)
        kind = check.kind(data)
        debit_values = check.strings(data, "debit_values", "debit_values must be a list of strings")
        extra = columns.get("extra", [])
        if not isinstance(extra, list) or not all(isinstance(v, str) and v for v in extra):
            raise check.fail("columns.extra must be a list of column names")
        direction = check.text(columns, "direction", "columns.")
        if direction and not debit_values:
            raise check.fail(
                "columns.direction needs debit_values (the values that mean money left the account)"
            )
        date_column = check.required(columns, "date", "columns.")
        amount_column = check.required(columns, "amount", "columns.")
        return cls(
            platform=platform,
            date=date_column,
            amount=amount_column,
            delimiter=delimiter,
            encoding=encoding,
            skip_lines=skip_lines,
            date_format=date_format,
            decimal_comma=check.flag(data, "decimal_comma"),
            currency=currency.upper() if currency else None,
            negate=check.flag(data, "negate"),
            debit_values=tuple(v.strip().lower() for v in debit_values),
            kind=kind,
            currency_column=check.text(columns, "currency", "columns."),
            title=check.text(columns, "title", "columns."),
            description=check.text(columns, "description", "columns."),
            category=check.text(columns, "category", "columns."),
            direction=direction,
            id=check.text(columns, "id", "columns."),
            extra=tuple(extra),
        )


class _Checker:
    """One validation step per mapping key, each failing with a :class:`CsvMapError` that names it."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, why: str) -> CsvMapError:
        return CsvMapError(f"{self.source}: {why}")

    def text(self, table: dict[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key} must be a non-empty string, not {value!r}")
        return value.strip()

    def required(self, table: dict[str, Any], key: str, where: str) -> str:
        if table.get(key) is None:
            raise self.fail(f"missing required key {where}{key}")
        value = self.text(table, key, where)
        assert value is not None
        return value

    def flag(self, data: dict[str, Any], key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, not {value!r}")
        return value

    def strings(self, data: dict[str, Any], key: str, why: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(why)
        return value

    def platform(self, data: dict[str, Any]) -> str:
        platform = self.required(data, "platform", "")
        if not platform.replace("_", "").replace("-", "").isalnum():
            raise self.fail(f"platform must be a simple name (letters, digits, - and _), not {platform!r}")
        return platform

    def delimiter(self, data: dict[str, Any]) -> str:
        delimiter = data.get("delimiter", ",")
        if delimiter == "\\t":
            delimiter = "\t"
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            raise self.fail(f"delimiter must be exactly one character, not {delimiter!r}")
        return delimiter

    def encoding(self, data: dict[str, Any]) -> str:
        encoding = self.text(data, "encoding", "") or "utf-8-sig"
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise self.fail(f"unknown encoding {encoding!r}") from None
        return encoding

    def skip_lines(self, data: dict[str, Any]) -> int:
        skip_lines = data.get("skip_lines", 0)
        if not isinstance(skip_lines, int) or isinstance(skip_lines, bool) or not 0 <= skip_lines <= 1000:
            raise self.fail(f"skip_lines must be a whole number from 0 to 1000, not {skip_lines!r}")
        return skip_lines

    def date_format(self, data: dict[str, Any]) -> str | None:
        date_format = self.text(data, "date_format", "")
        if date_format is not None and "%" not in date_format:
            raise self.fail(f'date_format {date_format!r} has no % directives (e.g. "%d.%m.%Y")')
        return date_format

    def currency(self, data: dict[str, Any]) -> str | None:
        currency = self.text(data, "currency", "")
        if currency is not None and not (len(currency) == 3 and currency.isalpha()):
            raise self.fail(f"currency must be a 3-letter ISO code such as EUR, not {currency!r}")
        return currency

    def kind(self, data: dict[str, Any]) -> str:
        kind = self.text(data, "kind", "") or "transaction"
        if kind not in KINDS:
            raise self.fail(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
        return kind


def load_mapping(path: str | Path) -> CsvMapping:
    """Read and validate a ``.toml`` or ``.json`` mapping file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvMapError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8-sig"))
        else:
            data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise CsvMapError(f"{path}: not valid {kind}: {exc}") from None
    return CsvMapping.from_dict(data, str(path))


class CsvMapImporter(Importer):
    """Reads CSVs as a :class:`CsvMapping` says. Not registered: it exists only with its mapping."""

    name = "csv_map"
    platform = "csv"
    version = "1"
    description = "CSV read through a user-supplied column mapping (selfdex import --csv-map)"
    handles = ("any delimited text file described by a --csv-map mapping",)

    def __init__(self, mapping: CsvMapping) -> None:
        self.mapping = mapping
        self.platform = mapping.platform  # type: ignore[misc]  # per mapping, not per class

    def _header(self, entry: Entry) -> list[str]:
        m = self.mapping
        with entry.open_text(encoding=m.encoding) as fh:
            for _ in range(m.skip_lines):
                fh.readline()
            line = fh.readline()
        try:
            return [h.strip().lstrip("\ufeff") for h in next(csv.reader([line], delimiter=m.delimiter))]
        except (StopIteration, csv.Error):
            return []

    def recognize(self, entry: Entry) -> float:
        if entry.suffix not in _SUFFIXES:
            return 0.0
        header = self._header(entry)
        missing = [c for c in self.mapping.required_columns if c not in header]
        return 1.0 if not missing else 0.5  # a CSV handed to us explicitly: parse() says what is missing

    def parse(self, entry: Entry) -> ParseResult:
        m = self.mapping
        header = self._header(entry)
        if missing := [c for c in m.required_columns if c not in header]:
            yield ImportProblem(
                f"the header row (line {m.skip_lines + 1}) lacks the mapped column(s) {missing}; "
                f"it has {header[:12]}: check skip_lines, delimiter {m.delimiter!r} and the column names",
                entry.path,
                line=m.skip_lines + 1,
                severity="unsupported",
            )
            return
        seen: dict[tuple[Any, ...], int] = {}
        for row in iter_csv(entry, delimiter=m.delimiter, encoding=m.encoding, skip_lines=m.skip_lines):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            yield self._record(entry, index, line, r, seen)

    def _record(
        self, entry: Entry, index: int, line: int, r: dict[str, str], seen: dict[tuple[Any, ...], int]
    ) -> Record | ImportProblem:
        m = self.mapping

        def get(column: str | None) -> str | None:
            return clean(r.get(column)) if column else None

        date_text = get(m.date) or ""
        stamp = self._date(date_text)
        when, precision = stamp if stamp else (None, None)
        raw_amount = get(m.amount) or ""
        amount = to_float(raw_amount, decimal_comma=m.decimal_comma)
        if when is None or amount is None:
            what = [
                f"date {date_text!r}" if when is None else "",
                f"amount {raw_amount!r}" if amount is None else "",
            ]
            expected = f" (date_format {m.date_format!r})" if when is None and m.date_format else ""
            return ImportProblem(
                f"unreadable {' and '.join(w for w in what if w)}{expected}",
                entry.path,
                index=index,
                line=line,
                excerpt=m.delimiter.join(r.values())[:200],
            )
        if m.negate:
            amount = -amount
        if m.direction and (get(m.direction) or "").lower() in m.debit_values:
            amount = -abs(amount)
        currency = (get(m.currency_column) or "").upper() or m.currency
        title, text = get(m.title), get(m.description)
        extra: dict[str, Any] = {c: v for c in m.extra if (v := get(c))}
        if category := get(m.category):
            extra["category"] = category
        same = (when, amount, title, text)
        seen[same] = seen.get(same, 0) + 1
        if seen[same] > 1:  # two identical rows in one statement are two payments
            extra["identity"] = str(seen[same])
        row_id = get(m.id)
        return Record(
            platform=m.platform,
            action="paid" if amount < 0 else "received",
            item=Item(
                kind=m.kind,
                title=title,
                ids={m.platform: row_id} if row_id else {},
                categories=(category,) if category else (),
            ),
            when=when,
            original_tz=None if precision == "day" else "local",
            precision=precision,
            amount=amount,
            currency=currency,
            text=text,
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )

    def _date(self, text: str) -> tuple[datetime, Precision] | None:
        """(instant, precision): a date at 00:00 UTC, or a wall-clock time (zone unknown) when the
        format has one."""
        if not text:
            return None
        fmt = self.mapping.date_format
        try:
            parsed = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC), "second"
        timed = ("%H" in fmt or "%I" in fmt) if fmt else (len(text) > 10)
        if not timed:
            return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC), "day"
        precision: Precision = "second" if (fmt is None or "%S" in fmt) else "minute"
        return parsed.replace(tzinfo=UTC), precision


# Column tables: the built-in CSV importers declare their optional columns as (header, extra key,
# reader) rows instead of one `if` per column. A reader turns the cell (None when the column is absent)
# into the value kept, or None to keep nothing; a key already set (by an earlier row) is kept.
Reader = Callable[[str | None], Any]
ColumnTable = tuple[tuple[str, str, Reader], ...]


def read_columns(row: Mapping[str, str], table: ColumnTable, extra: dict[str, Any]) -> dict[str, Any]:
    """Fill ``extra`` from ``row`` as ``table`` says; returns ``extra``."""
    for column, key, read in table:
        if key not in extra and (value := read(row.get(column))) is not None:
            extra[key] = value
    return extra


def text(cell: str | None) -> str | None:
    """The cell stripped; None when empty."""
    return clean(cell)


def whole(cell: str | None) -> int | None:
    """A whole number written as such (``"12"``); None otherwise."""
    try:
        return int((cell or "").strip())
    except ValueError:
        return None


def counted(cell: str | None) -> int | None:
    """A count written as a number, floats included (``"2.0"``); None when empty."""
    value = to_float(cell)
    return int(value) if value is not None else None


def word_flag(word: str) -> Reader:
    """True when the cell says ``word`` (any case), else nothing."""

    def read(cell: str | None) -> bool | None:
        return True if (cell or "").strip().lower() == word else None

    return read


def comma_list(cell: str | None) -> list[str] | None:
    """``"dark, funny"`` → ``["dark", "funny"]``; None when nothing is listed."""
    return [v.strip() for v in (cell or "").split(",") if v.strip()] or None
