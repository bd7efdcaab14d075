"""Amazon "Request My Data" orders: ``Retail.OrderHistory.N/Retail.OrderHistory.N.csv`` (2023–2025),
``Your Amazon Orders/Order History.csv`` (late 2025+), ``Digital-Ordering.N/Digital Items.csv`` and
``Retail.CustomerReturns.N.N/Retail.CustomerReturns.N.N.csv``. Amazon ships each dataset as a zip inside
the main zip; the archive layer opens those, this module only reads CSVs.

Quirks: UTF-8 with a BOM (2023–25), all fields quoted in some years and none in others; the late-2025
file renames columns (``Total Amount``, ``Original Quantity``, ``Payment Method Type``) and sorts them
alphabetically, so columns are found through a table of spellings. One row per item per shipment. Times
are ISO-8601 UTC with or without milliseconds (older files: ``07/24/2023 19:08:50 UTC``). Missing values
are the sentinels ``Not Available`` / ``Not Applicable`` / ``N/A``; ``_ASINLESS_`` marks an item without
an ASIN (Whole Foods produce). Book ASINs are ISBN-10s, and a spreadsheet round trip drops their
leading zero (``316389706``). Cancelled lines bought nothing and are reported as skipped.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Precision, Record
from ..timeparse import Stamp, parse_iso
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv

_SENTINELS = frozenset({"not available", "not applicable", "n/a", "na", "none", "null", "-", "--"})

# canonical field → header spellings, 2023–25 retail layout first, then late-2025 "Order History.csv".
_RETAIL: dict[str, tuple[str, ...]] = {
    "website": ("Website",),
    "order_id": ("Order ID",),
    "order_date": ("Order Date",),
    "currency": ("Currency",),
    "unit_price": ("Unit Price",),
    "unit_tax": ("Unit Price Tax",),
    "shipping": ("Shipping Charge",),
    "discounts": ("Total Discounts",),
    "total": ("Total Owed", "Total Amount"),
    "asin": ("ASIN",),
    "condition": ("Product Condition",),
    "quantity": ("Quantity", "Original Quantity"),
    "status": ("Order Status",),
    "shipment_status": ("Shipment Status",),
    "ship_date": ("Ship Date",),
    "product": ("Product Name",),
}
_RETAIL_NEEDS = frozenset({"Order ID", "Order Date", "ASIN", "Product Name"})
_DIGITAL_NEEDS = frozenset({"ASIN", "OrderId", "DigitalOrderItemId"})
_RETURNS_NEEDS = frozenset({"OrderId", "DateOfReturn", "ReturnAmount"})
# The pre-2023 "Order History Reports" CSV (Order Date,Order ID,Title,Category,ASIN/ISBN,…), discontinued.
_LEGACY_NEEDS = frozenset({"Order Date", "Order ID", "Title", "ASIN/ISBN"})


def _value(text: str | None) -> str | None:
    """The cell, or None for empty cells and Amazon's sentinels."""
    text = clean(text)
    if text is None or text.lower() in _SENTINELS:
        return None
    return text


def _money(text: str | None) -> float | None:
    value = _value(text)
    return to_float(value) if value is not None else None


def _isbn10_ok(code: str) -> bool:
    if len(code) != 10 or not code[:9].isdigit() or not (code[9].isdigit() or code[9] in "Xx"):
        return False
    total = sum((10 - i) * int(c) for i, c in enumerate(code[:9]))
    total += 10 if code[9] in "Xx" else int(code[9])
    return total % 11 == 0


def _isbn13(isbn10: str) -> str:
    core = "978" + isbn10[:9]
    check = (10 - sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(core)) % 10) % 10
    return core + str(check)


def asin_ids(text: str | None) -> dict[str, str]:
    """{"asin": …} plus isbn10/isbn13 when the ASIN is a book's ISBN-10; {} for sentinels."""
    asin = _value(text)
    if asin is None or asin.startswith("_"):  # _ASINLESS_
        return {}
    if asin.isdigit() and len(asin) < 10 and _isbn10_ok(asin.zfill(10)):
        asin = asin.zfill(10)  # a spreadsheet took the ISBN for a number and dropped its leading zero
    ids = {"asin": asin}
    if _isbn10_ok(asin):
        ids["isbn10"] = asin.upper()
        ids["isbn13"] = _isbn13(asin)
    return ids


_US_FORMATS: tuple[tuple[str, Precision], ...] = (
    ("%m/%d/%Y %H:%M:%S UTC", "second"),
    ("%m/%d/%Y %H:%M:%S", "second"),
    ("%m/%d/%Y", "day"),
)


def _spent(total: float | None) -> float | None:
    """A purchase total as a signed amount: money left the person."""
    if total is None:
        return None
    return -total if total else 0.0


def _stamp(text: str | None) -> Stamp | None:
    """ISO-8601 (the norm), "07/24/2023 19:08:50 UTC" (older files) or an RFC 2822 date (returns).
    None for sentinels and zero-date placeholders (0000-00-00, 1970-01-01); ValueError when unreadable."""
    value = _value(text)
    if value is None or value.startswith(("0000", "00/00")):
        return None
    stamp = parse_iso(value, "UTC")
    if stamp is None:
        for fmt, precision in _US_FORMATS:
            try:
                naive = datetime.strptime(value, fmt)
            except ValueError:
                continue
            stamp = Stamp(naive.replace(tzinfo=UTC), "UTC", precision)
            break
    if stamp is None:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"unreadable date {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        stamp = Stamp(parsed.astimezone(UTC), "UTC", "second")
    if stamp.when.year < 1971:  # 1970-01-01 placeholders
        return None
    return stamp


def _columns(header: list[str]) -> dict[str, str]:
    present = set(header)
    return {
        field: next(name for name in names if name in present)
        for field, names in _RETAIL.items()
        if any(name in present for name in names)
    }


def _layout(header: list[str]) -> str | None:
    cols = set(header)
    if cols >= _RETAIL_NEEDS and ("Total Owed" in cols or "Total Amount" in cols):
        return "retail"
    if cols >= _DIGITAL_NEEDS:
        return "digital"
    if cols >= _RETURNS_NEEDS:
        return "returns"
    if cols >= _LEGACY_NEEDS:
        return "legacy"
    return None


class AmazonOrdersImporter(Importer):
    name = "amazon_orders"
    platform = "amazon"
    version = "1"
    description = "Amazon orders from 'Request My Data': retail orders, digital items, returns"
    handles = (
        "Retail.OrderHistory.N/Retail.OrderHistory.N.csv",
        "Your Amazon Orders/Order History.csv",
        "Digital-Ordering.N/Digital Items.csv",
        "Retail.CustomerReturns.N.N/Retail.CustomerReturns.N.N.csv",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        layout = _layout(csv_header(entry))
        if layout is None:
            return 0.0
        return 0.6 if layout == "legacy" else 0.95

    def parse(self, entry: Entry) -> ParseResult:
        header = csv_header(entry)
        layout = _layout(header)
        if layout == "legacy":
            yield ImportProblem(
                "the pre-2023 'Order History Reports' CSV is not supported; "
                "request 'Your Orders' from Amazon's privacy page instead",
                entry.path,
                severity="unsupported",
            )
            return
        cols = _columns(header)
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            try:
                if layout == "retail":
                    out: Record | ImportProblem = self._retail(entry, index, line, r, cols)
                elif layout == "digital":
                    out = self._digital(entry, index, line, r)
                else:
                    out = self._return(entry, index, line, r)
            except ValueError as exc:
                out = ImportProblem(
                    str(exc), entry.path, index=index, line=line, excerpt=",".join(r.values())[:200]
                )
            yield out

    def _retail(
        self, entry: Entry, index: int, line: int, r: dict[str, str], cols: dict[str, str]
    ) -> Record | ImportProblem:
        def get(field: str) -> str | None:
            return _value(r.get(cols[field])) if field in cols else None

        title = get("product")
        ids = asin_ids(get("asin"))
        if title is None and not ids:
            raise ValueError("order row names no product")
        status = get("status")
        quantity = to_float(get("quantity"))
        total = to_float(get("total"))
        if (status or "").lower() in ("cancelled", "canceled") or (quantity == 0 and not total):
            return ImportProblem(
                f"cancelled order line, nothing bought: {title or ids.get('asin')}",
                entry.path,
                index=index,
                line=line,
                severity="skipped",
            )
        stamp = _stamp(get("order_date"))
        if total is None:
            unit, tax = to_float(get("unit_price")), to_float(get("unit_tax")) or 0.0
            total = (unit + tax) * (quantity or 1) if unit is not None else None
        order_id = get("order_id")
        ship_date = get("ship_date")
        extra: dict[str, Any] = {}
        for key, field in (
            ("order_id", "order_id"),
            ("website", "website"),
            ("status", "status"),
            ("shipment_status", "shipment_status"),
            ("ship_date", "ship_date"),
            ("condition", "condition"),
        ):
            if (value := get(field)) is not None:
                extra[key] = value
        if (unit_price := to_float(get("unit_price"))) is not None:
            extra["unit_price"] = unit_price
        # One row per item per shipment: the same item can come in two shipments of one order. (The
        # tracking column is left out: its spelling differs between layouts of the same order.)
        extra["identity"] = f"{order_id or ''}|{ship_date or ''}"
        return Record(
            platform=self.platform,
            action="purchased",
            item=Item(kind="product", title=title, ids=ids),
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            amount=_spent(total),
            currency=get("currency"),
            quantity=quantity,
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )

    def _digital(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        title = _value(r.get("Title"))
        ids = asin_ids(r.get("ASIN"))
        if title is None and not ids:
            raise ValueError("digital order row names no item")
        stamp = _stamp(r.get("OrderDate")) or _stamp(r.get("FulfilledDate"))
        quantity = to_float(_value(r.get("QuantityOrdered")) or _value(r.get("OriginalQuantity")))
        price = _money(r.get("OurPrice"))
        total = None if price is None else (price + (_money(r.get("OurPriceTax")) or 0.0)) * (quantity or 1)
        extra: dict[str, Any] = {"digital": True}
        for key, col in (
            ("order_id", "OrderId"),
            ("website", "Marketplace"),
            ("publisher", "Publisher"),
            ("seller", "SellerOfRecord"),
        ):
            if (value := _value(r.get(col))) is not None:
                extra[key] = value
        if (fulfilled := _value(r.get("IsFulfilled"))) is not None:
            extra["fulfilled"] = fulfilled.lower() == "yes"
        extra["identity"] = _value(r.get("DigitalOrderItemId")) or _value(r.get("OrderId"))
        return Record(
            platform=self.platform,
            action="purchased",
            item=Item(kind="product", title=title, ids=ids),
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            amount=_spent(total),
            currency=_value(r.get("OurPriceCurrencyCode")) or _value(r.get("BaseCurrencyCode")),
            quantity=quantity,
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )

    def _return(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        stamp = _stamp(r.get("DateOfReturn"))
        amount = _money(r.get("ReturnAmount"))
        extra: dict[str, Any] = {}
        for key, col in (
            ("order_id", "OrderId"),
            ("reason", "ReturnReason"),
            ("resolution", "Resolution"),
            ("identity", "ContractId"),
        ):
            if (value := _value(r.get(col))) is not None:
                extra[key] = value
        # The returns table names the order, not the item: the product is linked through extra.order_id.
        return Record(
            platform=self.platform,
            action="returned",
            item=Item(kind="product"),
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            amount=abs(amount) if amount is not None else None,  # refunded: money came back
            currency=_value(r.get("ReturnAmountCurrency")),
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )
