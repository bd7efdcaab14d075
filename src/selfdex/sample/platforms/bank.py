"""DKB Girokonto download (2023+ layout): ``;``-separated, quoted, a preamble before the table, dates
``DD.MM.YY``, amounts with a decimal comma and a no-break space before ``€``.

Mara pays rent on the 1st, is paid on the 27th, shops for groceries on Saturdays, pays Strava monthly and
buys the catalogue's products from Amazon with her debit card (``AMAZON EU S.A R.L.``, same amounts as the
orders and refunds, read back from the Amazon writer's output by :func:`amazon_charges`)."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

from ..person import Person
from . import amazon

BUNDLE = "dkb"
IBAN = "DE02120300000000202051"
HEADER = (
    "Buchungsdatum",
    "Wertstellung",
    "Status",
    "Zahlungspflichtige*r",
    "Zahlungsempfänger*in",
    "Verwendungszweck",
    "Umsatztyp",
    "IBAN",
    "Betrag (€)",
    "Gläubiger-ID",
    "Mandatsreferenz",
    "Kundenreferenz",
)
AMAZON = "AMAZON EU S.A R.L."


def amazon_charges(person: Person) -> list[tuple[date, float, str]]:
    """(booking day, amount, purpose) for every Amazon order, digital order and refund, read back from what
    the Amazon writer writes, so the card payments match her orders whatever that writer decides."""
    charges: list[tuple[date, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="selfdex-bank-") as tmp:
        amazon.write(person, Path(tmp))
        totals: dict[str, tuple[date, float]] = {}
        for row in _zip_csv(Path(tmp) / "Retail.OrderHistory.1.zip"):
            if row["Order Status"] == "Cancelled":
                continue
            day = date.fromisoformat(row["Order Date"][:10])
            _, total = totals.get(row["Order ID"], (day, 0.0))
            totals[row["Order ID"]] = (day, total + float(row["Total Owed"]))
        for row in _zip_csv(Path(tmp) / "Digital-Ordering.1.zip"):
            totals[row["OrderId"]] = (date.fromisoformat(row["OrderDate"]), float(row["OurPrice"]))
        for order_id, (day, total) in totals.items():
            charges.append(
                (day + timedelta(days=1), -round(total, 2), f"{day.isoformat()} Debitk.99 {order_id}")
            )
        for row in _zip_csv(Path(tmp) / "Retail.CustomerReturns.1.1.zip"):
            day = date.fromisoformat(row["DateOfReturn"][:10])
            charges.append(
                (day + timedelta(days=2), float(row["ReturnAmount"]), f"Erstattung {row['OrderId']}")
            )
    return sorted(charges)


def _zip_csv(path: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _amount(value: float) -> str:
    text = f"{abs(value):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{'-' if value < 0 else ''}{text}\u00a0€"


def _day(d: date) -> str:
    return d.strftime("%d.%m.%y")


def write(person: Person, root: Path) -> None:
    rng = person.rand("bank")
    name = person.name
    rows: list[tuple[date, tuple[str, ...]]] = []

    def add(
        booked: date,
        payer: str,
        payee: str,
        purpose: str,
        kind: str,
        iban: str,
        amount: float,
        creditor: str = "",
        mandate: str = "",
        reference: str = "",
    ) -> None:
        rows.append(
            (
                booked,
                (
                    _day(booked),
                    _day(booked),
                    "Gebucht",
                    payer,
                    payee,
                    purpose,
                    kind,
                    iban,
                    _amount(amount),
                    creditor,
                    mandate,
                    reference,
                ),
            )
        )

    for booked, amount, purpose in amazon_charges(person):
        add(
            booked,
            name if amount < 0 else AMAZON,
            AMAZON if amount < 0 else name,
            purpose,
            "Ausgang" if amount < 0 else "Eingang",
            "LU96ZZZ0000000000000000058",
            amount,
            reference=f"{rng.randrange(10**14, 10**15)}",
        )
    d = person.start.replace(day=1)
    while d <= person.end:
        add(
            d,
            name,
            "Berliner Wohnungsgenossenschaft eG",
            f"Miete {d:%m/%Y} Whg. 3.02",
            "Ausgang",
            "DE44100500000190012345",
            -1140.00,
        )
        salary_day = d.replace(day=27)
        if salary_day <= person.end:
            add(
                salary_day,
                "Kiezwerk Software GmbH",
                name,
                f"LOHN/GEHALT {d:%m/%Y}",
                "Eingang",
                "DE89100100100987654321",
                3412.58,
            )
        strava_day = d.replace(day=12)
        add(
            strava_day,
            name,
            "Strava Inc.",
            f"{strava_day.isoformat()} Debitk.99 Strava Subscription",
            "Ausgang",
            "IE64IRCE92050112345678",
            -11.99,
            creditor="IE12ZZZ00000000000000STRAVA",
            mandate=f"STRAVA-{person.username.upper()}",
        )
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    d = person.start
    while d <= person.end:
        if d.weekday() == 5 and not (date(2024, 4, 6) <= d <= date(2024, 4, 20)):
            shop = rng.choice(
                ("REWE Markt GmbH", "EDEKA Center", "LIDL DIENSTL. GMBH", "Asia Markt Kreuzberg")
            )
            add(
                d,
                name,
                shop,
                f"{d.isoformat()} Debitk.99 VISA Debit",
                "Ausgang",
                "DE27100777770209299700",
                -round(rng.uniform(18, 95), 2),
            )
        d += timedelta(days=1)
    rows.sort(key=lambda x: x[0], reverse=True)  # DKB lists the newest first
    balance_text = "4873,12"
    lines = [
        f'"Girokonto";"{IBAN}"',
        '""',
        f'"Kontostand vom {person.end:%d.%m.%Y}:";"{balance_text} EUR"',
        '""',
        ";".join(f'"{h}"' for h in HEADER),
    ]
    for _, cells in rows:
        lines.append(";".join('"' + c.replace('"', '""') + '"' for c in cells))
    path = root / f"{person.end:%d-%m-%Y}_Umsatzliste_Girokonto_{IBAN}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
