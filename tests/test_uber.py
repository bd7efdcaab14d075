from __future__ import annotations

from pathlib import Path

from selfdex.importers.uber import UberImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "uber"
    assert set(recognitions(folder).values()) == {"uber"}
    records, problems = parse_path(UberImporter(), folder)
    assert problems == []
    assert len(records) == 15 and {r.action for r in records} == {"travelled", "requested"}
    # a request that was cancelled or found no driver is not a trip taken
    not_taken = {"CANCELED", "DRIVER_CANCELED", "UNFULFILLED"}
    assert all((r.action == "requested") == (r.extra["status"] in not_taken) for r in records)
    assert all(r.distance_m is None and r.duration_s is None for r in records if r.action == "requested")
    assert all(r.when is not None and r.when.year > 1970 for r in records)
    done = next(r for r in records if r.extra.get("requested_at") == "2023-02-20T20:50:45+00:00")
    assert done.when is not None and done.when.isoformat() == "2023-02-20T20:55:41+00:00"
    assert (done.amount, done.currency, done.duration_s) == (-10.97, "BRL", 611.0)
    assert done.distance_m == round(3.08 * 1609.344, 1)
    assert done.location is not None and (done.location.lat, done.location.lon) == (-5.84, -35.20)
    # cancelled: the 1970 sentinel is never a time; dated by the request, the reason kept
    cancelled = next(r for r in records if r.extra.get("requested_at") == "2023-02-21T03:11:53+00:00")
    assert cancelled.extra["status"] == "CANCELED" and "1970" in cancelled.extra["no_trip_times"]
    assert cancelled.duration_s is None and cancelled.distance_m is None and cancelled.amount is None
    fee = next(r for r in records if r.extra["status"] == "DRIVER_CANCELED" and r.amount)
    assert fee.amount == -3.0
    # city-id variant: no coordinates, numeric city
    vip = [r for r in records if r.extra.get("city_id") == "493"]
    assert len(vip) == 3 and all(r.location is None for r in vip)
    assert vip[0].item.title == "VIP in city 493"


def test_sample_person(sample_exports: Path) -> None:
    folder = sample_exports / "Uber Data"
    assert set(recognitions(folder).values()) == {"uber"}
    records, problems = parse_path(UberImporter(), folder)
    assert problems == []
    kyoto = [r for r in records if r.extra.get("city") == "Kyoto"]
    assert len(kyoto) == 3 and all(r.when and r.when.strftime("%Y-%m") == "2024-04" for r in kyoto)
    # her requests that never became trips: one she cancelled, one the driver did (with a fee), one
    # that found no driver
    requested = {r.extra["status"]: r for r in records if r.action == "requested"}
    assert set(requested) == {"CANCELED", "DRIVER_CANCELED", "UNFULFILLED"}
    assert requested["DRIVER_CANCELED"].amount is not None and requested["DRIVER_CANCELED"].amount < 0
    assert sum(r.action == "travelled" for r in records) == 4
    assert {r.currency for r in kyoto if r.amount} == {"JPY"}
    assert any(r.extra.get("dropoff", {}).get("address") == "Kinkaku-ji" for r in records)


def test_malformed(tmp_path: Path) -> None:
    (tmp_path / "trips_data.csv").write_text(
        "City,Product Type,Trip or Order Status,Request Time,Begin Trip Time,Dropoff Time,"
        "Distance (miles),Fare Amount,Fare Currency\n"
        "Berlin,UberX,COMPLETED,2024-01-01 10:00:00 +0000 UTC,2024-01-01 10:05:00 +0000 UTC,"
        "2024-01-01 10:20:00 +0000 UTC,2.0,12.5,EUR\n"
        "Berlin,UberX,COMPLETED,soon,later,never,1,1,EUR\n"
        "Berlin,UberX\n"
        "Berlin,UberX,COMPLETED,2024-01-02 10:00:00 +0000 UTC,2024-01-02 10:05:00 +0000 UTC,"
        "2024-01-02 10:25:00 +0000 UTC,3.0,15,EUR\n",
        encoding="utf-8",
    )
    records, problems = parse_path(UberImporter(), tmp_path)
    assert [r.amount for r in records] == [-12.5, -15.0]
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4)]
    assert "soon" in problems[0].reason
