"""Amazon "Request My Data": ``Your Orders.zip`` holding one zip per dataset, as Amazon ships them:
``Retail.OrderHistory.1.zip`` → ``Retail.OrderHistory.1/Retail.OrderHistory.1.csv`` (2025 layout: BOM,
unquoted, 28 columns), ``Digital-Ordering.1.zip`` → ``Digital-Ordering.1/Digital Items.csv`` and
``Retail.CustomerReturns.1.1.zip`` (all fields quoted). Mara shops on Amazon.de in euros: a multi-item
kitchen order, a cancelled line, and trail shoes returned for a size up."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from ..person import BOOKS, PRODUCTS, Person, Product

BUNDLE = "Your Orders.zip"

_ZIP_TIME = (2025, 7, 1, 12, 0, 0)  # fixed, so the same seed writes byte-identical zips
_NA = "Not Available"
_NAPP = "Not Applicable"
_ADDRESS = "Mara Lindqvist Lychener Straße 12 10437 Berlin DE"

# Header lines exactly as Amazon writes them.
RETAIL_HEADER = (
    "Website,Order ID,Order Date,Purchase Order Number,Currency,Unit Price,Unit Price Tax,Shipping Charge,"
    "Total Discounts,Total Owed,Shipment Item Subtotal,Shipment Item Subtotal Tax,ASIN,Product Condition,"
    "Quantity,Payment Instrument Type,Order Status,Shipment Status,Ship Date,Shipping Option,"
    "Shipping Address,Billing Address,Carrier Name & Tracking Number,Product Name,Gift Message,"
    "Gift Sender Name,Gift Recipient Contact Details,Item Serial Number"
)
DIGITAL_HEADER = (
    "ASIN,Title,OrderId,DigitalOrderItemId,DeclaredCountryCode,BaseCurrencyCode,FulfilledDate,IsFulfilled,"
    "Marketplace,OrderDate,OriginalQuantity,OurPrice,OurPriceCurrencyCode,OurPriceTax,"
    "OurPriceTaxCurrencyCode,SellerOfRecord,Publisher,ThirdPartyDisplayPrice,ThirdPartyDisplayCurrencyCode,"
    "ListPriceAmount,ListPriceCurrencyCode,ListPriceTaxAmount,ListPriceTaxCurrencyCode,GiftItem,"
    "OrderingCustomerNickname,GiftCustomerNickname,GiftMessage,GiftEmail,RecipientEmail,GiftRedemption,"
    "ItemMergedFromAnotherOrder,QuantityOrdered,ItemFulfilled,ShipFrom,ShipTo,IsOrderEligibleForPrimeBenefit,"
    "OfferingSKU,FulfillmentMobileNumber,RechargeAmount,RechargeAmountCurrencyCode,SubscriptionOrderInfoList,"
    "PreviouslyPaidDigitalOrderItemId,PreviouslyPaidOrderId,InstallmentOurPrice,InstallmentOurPricePlusTax,"
    "DigitalOrderItemAttributes,InstallmentOurPriceCurrencyCode,InstallmentOurPricePlusTaxCurrencyCode"
)
RETURNS_HEADER = (
    '"OrderId","ContractId","DateOfReturn","ReturnAmount","ReturnAmountCurrency","ReturnReason","Resolution"'
)


def _product(asin: str) -> Product:
    return next(p for p in PRODUCTS if p.asin == asin)


def _book_start(title: str, person: Person) -> date:
    started, _ = person.book_dates(next(b for b in BOOKS if b.title == title))
    assert started is not None
    return started


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv(header: str, rows: Sequence[Sequence[object]], quote_all: bool = False) -> bytes:
    buf = io.StringIO()
    buf.write(header + "\n")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")  # Amazon's CSVs open with a BOM


def _zip(path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, data)


def _money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def write(person: Person, root: Path) -> None:
    rng = person.rand("amazon")

    def order_id(prefix: str = "302") -> str:
        return f"{prefix}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"

    def evening(d: date) -> datetime:
        return person.evening(rng, d)

    # (when, order id, product, quantity, status); one order can hold several lines.
    lines: list[tuple[datetime, str, Product, int, str]] = []

    def order(when: datetime, *items: tuple[Product, int], status: str = "Closed") -> str:
        oid = order_id()
        for product, quantity in items:
            lines.append((when, oid, product, quantity, status))
        return oid

    order(evening(_book_start("Dune", person) - timedelta(days=6)), (_product("059309932X"), 1))
    order(evening(_book_start("Exhalation", person) - timedelta(days=5)), (_product("1101972084"), 1))
    kitchen_day = person.day(rng, date(2023, 10, 1), date(2024, 2, 28))
    order(evening(kitchen_day), (_product("B0000Y7KNQ"), 1), (_product("B07CZ6G2MN"), 1))
    for _ in range(3):
        order(evening(person.day(rng)), (_product("B003MYZ7N2"), rng.choice((1, 2))))
    shoes = person.day(rng, date(2024, 3, 1), date(2024, 9, 30))
    returned = order(evening(shoes), (_product("B0BS1P7HCR"), 1))
    order(evening(shoes + timedelta(days=12)), (_product("B0BS1P7HCR"), 1))
    order(evening(person.day(rng, date(2024, 10, 1), date(2025, 2, 28))), (_product("B08L5XK4K5"), 1))
    order(evening(person.day(rng, date(2024, 5, 20), date(2024, 8, 31))), (_product("B0CW1RN2BL"), 1))
    cable_day = person.day(rng)
    order(evening(cable_day), (_product("B07THJGZ9Z"), 1), status="Cancelled")
    order(evening(cable_day + timedelta(days=1)), (_product("B07THJGZ9Z"), 1))
    lines.sort(key=lambda line: line[0], reverse=True)

    retail = []
    subtotals: dict[str, float] = {}
    for _when, oid, product, quantity, status in lines:
        if status != "Cancelled":
            subtotals[oid] = subtotals.get(oid, 0.0) + product.price * quantity
    for when, oid, product, quantity, status in lines:
        net = round(product.price / 1.19, 2)  # German prices include 19 % VAT; the export splits it out
        tax = round(product.price - net, 2)
        cancelled = status == "Cancelled"
        shipped = when + timedelta(hours=rng.randrange(14, 30), minutes=rng.randrange(60))
        subtotal = subtotals.get(oid, 0.0)
        retail.append(
            (
                "Amazon.de",
                oid,
                _iso(when),
                _NAPP,
                "EUR",
                _money(net),
                _money(tax),
                "0",
                "0",
                "0" if cancelled else _money(product.price * quantity),
                _NA if cancelled else _money(round(subtotal / 1.19, 2)),
                _NA if cancelled else _money(round(subtotal - subtotal / 1.19, 2)),
                product.asin,
                "New",
                0 if cancelled else quantity,
                "Visa - 4821",
                status,
                _NA if cancelled else "Shipped",
                _NA if cancelled else _iso(shipped),
                "std-de-dom",
                _ADDRESS,
                _ADDRESS,
                _NA if cancelled else f"DHL({rng.randrange(10**19, 10**20)})",
                product.title,
                _NA,
                _NA,
                _NA,
                _NA,
            )
        )
    _zip(
        root / "Retail.OrderHistory.1.zip",
        "Retail.OrderHistory.1/Retail.OrderHistory.1.csv",
        _csv(RETAIL_HEADER, retail),
    )

    digital = []
    digital_columns = DIGITAL_HEADER.split(",")
    for product in (p for p in PRODUCTS if p.digital):
        book = next((b for b in BOOKS if product.title.startswith(b.title)), None)
        day = _book_start(book.title, person) - timedelta(days=1) if book else person.day(rng)
        values = dict.fromkeys(digital_columns, _NAPP)
        values.update(
            {
                "ASIN": product.asin,
                "Title": product.title,
                "OrderId": order_id("D01"),
                "DigitalOrderItemId": "".join(
                    rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUV") for _ in range(52)
                ),
                "DeclaredCountryCode": "DE",
                "BaseCurrencyCode": "EUR",
                "FulfilledDate": day.isoformat(),
                "IsFulfilled": "Yes",
                "Marketplace": "www.amazon.de",
                "OrderDate": day.isoformat(),
                "OriginalQuantity": "1",
                "OurPrice": _money(product.price),
                "OurPriceCurrencyCode": "EUR",
                "SellerOfRecord": "Amazon Media EU S.à r.l.",
                "ListPriceAmount": _money(product.price),
                "ListPriceCurrencyCode": "EUR",
                "GiftItem": "No",
                "QuantityOrdered": "1",
                "ItemFulfilled": "Yes",
                "IsOrderEligibleForPrimeBenefit": "Yes",
            }
        )
        digital.append([values[h] for h in digital_columns])
    _zip(
        root / "Digital-Ordering.1.zip", "Digital-Ordering.1/Digital Items.csv", _csv(DIGITAL_HEADER, digital)
    )

    shoes_line = next(line for line in lines if line[1] == returned)
    back = shoes_line[0] + timedelta(days=9, hours=2)
    returns = [
        (
            returned,
            f"{rng.randrange(10**9, 10**10)}",
            back.strftime("%Y-%m-%d %H:%M:%S"),
            _money(shoes_line[2].price),
            "EUR",
            "too small",
            "Refund",
        )
    ]
    _zip(
        root / "Retail.CustomerReturns.1.1.zip",
        "Retail.CustomerReturns.1.1/Retail.CustomerReturns.1.1.csv",
        _csv(RETURNS_HEADER, returns, quote_all=True),
    )
