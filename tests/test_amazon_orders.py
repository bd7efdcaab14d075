from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.importers.amazon_orders import AmazonOrdersImporter, asin_ids
from selfdex.model import Record
from selfdex.sample.person import PRODUCTS
from selfdex.testing import parse_path, recognitions

RETAIL_HEADER = (
    "Website,Order ID,Order Date,Purchase Order Number,Currency,Unit Price,Unit Price Tax,Shipping Charge,"
    "Total Discounts,Total Owed,Shipment Item Subtotal,Shipment Item Subtotal Tax,ASIN,Product Condition,"
    "Quantity,Payment Instrument Type,Order Status,Shipment Status,Ship Date,Shipping Option,Shipping Address,"
    "Billing Address,Carrier Name & Tracking Number,Product Name,Gift Message,Gift Sender Name,"
    "Gift Recipient Contact Details\n"
)


def _row(order_date: str, asin: str, name: str, total: str = "10", order_id: str = "302-1-1") -> str:
    return (
        f"Amazon.de,{order_id},{order_date},Not Applicable,EUR,{total},0,0,0,{total},{total},0,{asin},New,1,"
        f"Visa - 0000,Closed,Shipped,Not Available,std,addr,addr,Not Available,{name},Not Available,"
        "Not Available,Not Available\n"
    )


def _by_title(records: list[Record], prefix: str) -> Record:
    found = [r for r in records if (r.item.title or "").startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


def test_real_samples_recognised(formats_dir: Path) -> None:
    assert set(recognitions(formats_dir / "amazon").values()) == {"amazon_orders"}


def test_real_samples(formats_dir: Path) -> None:
    records, problems = parse_path(AmazonOrdersImporter(), formats_dir / "amazon")
    assert [p for p in problems if p.severity != "skipped"] == []
    # cancelled lines (Total Owed 0, Quantity 0) bought nothing: skipped with their position
    assert len(problems) == 3 and all("cancelled" in p.reason and p.index is not None for p in problems)
    assert len(records) == 6 + 8 + 10 + 7
    assert {r.action for r in records} == {"purchased"}
    assert all(r.amount is not None and r.amount < 0 for r in records)

    # 2023, every field quoted, BOM, ISO time with milliseconds, sentinel ship date
    stats = _by_title(records, "An Introduction to Statistical Learning")
    assert stats.when == datetime(2023, 7, 24, 19, 8, 18, 487000, tzinfo=UTC) and stats.precision == "ms"
    assert (stats.amount, stats.currency, stats.quantity) == (-79.99, "USD", 1)
    assert stats.extra["status"] == "Authorized" and "ship_date" not in stats.extra
    assert stats.item.ids == {"asin": "3031391896", "isbn10": "3031391896", "isbn13": "9783031391897"}
    # one order, four lines: four distinct records
    order = [r for r in records if r.extra.get("order_id") == "112-4856348-9796227"]
    assert len(order) == 4 and len({r.id for r in order}) == 4

    # 2025, unquoted, BOM, extra column, blank Order ID, ISBN-10 ASIN that lost its leading zero
    sword = _by_title(records, "Sword of Destiny")
    assert sword.item.ids["asin"] == "0316389706" and sword.item.ids["isbn13"] == "9780316389709"
    assert sword.extra["website"] == "Amazon.ca" and "order_id" not in sword.extra
    assert (sword.amount, sword.currency) == (-24.14, "CAD")  # Total Owed includes the tax
    assert _by_title(records, "The Last Wish").amount == -13.89  # and the shipping

    # late 2025: renamed, alphabetical columns, no BOM, _ASINLESS_, Website panda01
    bag = _by_title(records, "Large paper bag fee")
    assert (bag.quantity, bag.amount) == (2, -0.1)
    mint = _by_title(records, "Organic Mint")
    assert mint.item.ids == {} and mint.extra["website"] == "panda01"
    assert mint.when == datetime(2026, 1, 31, 22, 50, 42, tzinfo=UTC) and mint.precision == "second"

    # digital items: day-precision dates, "Not Applicable" tax
    money = _by_title(records, "The Psychology of Money")
    assert money.item.ids == {"asin": "B084HJSJJ2"} and money.extra["digital"] is True
    assert (money.amount, money.currency, money.precision) == (-9.99, "USD", "day")
    assert money.extra["order_id"] == "D01-0177999-1651460"


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ("B0000Y7KNQ", {"asin": "B0000Y7KNQ"}),
        ("0316389706", {"asin": "0316389706", "isbn10": "0316389706", "isbn13": "9780316389709"}),
        ("316389706", {"asin": "0316389706", "isbn10": "0316389706", "isbn13": "9780316389709"}),
        ("0593099321", {"asin": "0593099321"}),  # all digits but not an ISBN (bad check digit)
        ("593099321", {"asin": "593099321"}),
        ("080442957X", {"asin": "080442957X", "isbn10": "080442957X", "isbn13": "9780804429573"}),
        ("_ASINLESS_", {}),
        ("Not Available", {}),
        ("", {}),
    ],
)
def test_asin_ids(raw: str, ids: dict[str, str]) -> None:
    assert asin_ids(raw) == ids


def test_sample_person_nested_zips(sample_exports: Path) -> None:
    bundle = sample_exports / "Your Orders.zip"
    seen = recognitions(bundle)
    assert set(seen.values()) == {"amazon_orders"}
    assert "Retail.OrderHistory.1.zip!/Retail.OrderHistory.1/Retail.OrderHistory.1.csv" in seen
    records, problems = parse_path(AmazonOrdersImporter(), bundle)
    assert len(problems) == 1 and problems[0].severity == "skipped" and "cancelled" in problems[0].reason
    bought = [r for r in records if r.action == "purchased"]
    assert {p.asin for p in PRODUCTS} == {r.item.ids["asin"] for r in bought}
    assert all(r.currency == "EUR" and r.amount and r.amount < 0 for r in bought)
    dune = next(r for r in bought if r.item.ids["asin"] == "059309932X")
    assert dune.item.title and dune.item.title.startswith("Dune Deluxe") and dune.amount == -37.99
    assert dune.item.ids["isbn13"] == "9780593099322"
    exhalation = next(r for r in bought if r.item.ids["asin"] == "1101972084")
    assert exhalation.item.ids["isbn13"] == "9781101972083"
    kindle = next(r for r in bought if r.extra.get("digital"))
    assert kindle.item.title == "Never Let Me Go (Kindle Edition)" and kindle.precision == "day"
    # the trail shoes went back: the refund names the order of one of the two purchases
    (refund,) = [r for r in records if r.action == "returned"]
    shoes = [r for r in bought if r.item.ids["asin"] == "B0BS1P7HCR"]
    assert refund.extra["order_id"] in {r.extra["order_id"] for r in shoes} and len(shoes) == 2
    assert (refund.amount, refund.currency) == (139.99, "EUR")
    # a kitchen order with two lines
    orders = [r.extra["order_id"] for r in bought]
    assert any(orders.count(o) == 2 for o in orders)


def test_malformed_rows(tmp_path: Path) -> None:
    folder = tmp_path / "Retail.OrderHistory.1"
    folder.mkdir()
    (folder / "Retail.OrderHistory.1.csv").write_text(
        RETAIL_HEADER
        + _row("2024-01-02T10:00:00Z", "B0000Y7KNQ", "Knife")
        + "Amazon.de,302-1-2,2024-01-03T10:00:00Z,too,few\n"
        + _row("last tuesday", "B003MYZ7N2", "Mayo")
        + _row("2024-01-04T10:00:00Z", "Not Available", "Not Available")
        + _row("07/24/2023 19:08:50 UTC", "B07THJGZ9Z", "Cable")
        + _row("2024-01-05T10:00:00Z", "B08L5XK4K5", "Headlamp"),
        encoding="utf-8-sig",
    )
    records, problems = parse_path(AmazonOrdersImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Knife", "Cable", "Headlamp"]
    assert [(p.index, p.line, p.severity) for p in problems] == [
        (1, 3, "error"),
        (2, 4, "error"),
        (3, 5, "error"),
    ]
    assert "fields" in problems[0].reason
    assert "unreadable date" in problems[1].reason
    assert "no product" in problems[2].reason
    cable = records[1]
    assert cable.when == datetime(2023, 7, 24, 19, 8, 50, tzinfo=UTC)  # the older US-style date


def test_returns_and_legacy(tmp_path: Path) -> None:
    (tmp_path / "Retail.CustomerReturns.1.1.csv").write_text(
        '"OrderId","ContractId","DateOfReturn","ReturnAmount","ReturnAmountCurrency","ReturnReason","Resolution"\n'
        '"302-1-1","77","Wed, 07 Feb 2024 10:11:12 GMT","19.99","EUR","defective","Refund"\n'
        '"302-1-2","78","2024-02-08 09:00:00","5","EUR","too small","Refund"\n',
        encoding="utf-8-sig",
    )
    (tmp_path / "Retail.OrderHistory.csv").write_text(
        "Order Date,Order ID,Title,Category,ASIN/ISBN,Item Total\n01/02/21,1,Thing,Books,B0,$1.00\n"
    )
    records, problems = parse_path(AmazonOrdersImporter(), tmp_path)
    assert [(r.action, r.amount, r.when) for r in records] == [
        ("returned", 19.99, datetime(2024, 2, 7, 10, 11, 12, tzinfo=UTC)),
        ("returned", 5.0, datetime(2024, 2, 8, 9, 0, tzinfo=UTC)),
    ]
    assert records[0].extra["reason"] == "defective" and records[0].extra["order_id"] == "302-1-1"
    assert [(p.member, p.severity) for p in problems] == [("Retail.OrderHistory.csv", "unsupported")]
