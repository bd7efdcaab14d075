from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from selfdex.importers.lastfm import LastfmImporter
from selfdex.importers.spotify import SpotifyImporter
from selfdex.testing import parse_path, recognitions


def test_real_sample(formats_dir: Path) -> None:
    folder = formats_dir / "lastfm"
    assert set(recognitions(folder).values()) == {"lastfm"}
    records, problems = parse_path(LastfmImporter(), folder)
    assert problems == [] and len(records) == 12
    cure = records[0]
    assert (cure.action, cure.item.kind, cure.item.title, cure.item.creators) == (
        "listened",
        "track",
        "Primary",
        ("The Cure",),
    )
    # uts (Unix seconds) wins over the minute-precision "11 Jul 2024, 09:07"
    assert cure.when == datetime(2024, 7, 11, 9, 7, 32, tzinfo=UTC) and cure.precision == "second"
    assert cure.item.ids == {"mbid_track": "58900088-3e21-41d5-a2f6-44f3c34e056b"}
    assert cure.extra == {
        "album": "Faith",
        "mbid_artist": "69ee3720-a7cb-4402-b48d-a02c366f2bcf",
        "mbid_album": "0b4ab1bb-c382-349e-af18-592e702c6bc6",
    }
    # empty MBIDs and albums are common
    gogos = next(r for r in records if r.item.title == "This Town")
    assert gogos.item.creators == ("Go‐Go’s",) and gogos.item.ids == {}
    eraas = next(r for r in records if r.item.title == "Old Magic")
    assert "album" not in eraas.extra


def test_headerless_lastfm_to_csv(tmp_path: Path) -> None:
    path = tmp_path / "maralind.csv"
    path.write_text(
        "lur,The Magic Whip,New World Towers,22 Mar 2021 16:55\n"
        'Two Door Cinema Club,"Tourist History",What You Know,22 Mar 2021 16:51\n'
        "Nobody,,Undated,\n",
        encoding="utf-8",
    )
    assert recognitions(tmp_path) == {"maralind.csv": "lastfm"}
    records, problems = parse_path(LastfmImporter(), tmp_path)
    assert [r.item.title for r in records] == ["New World Towers", "What You Know"]
    assert records[0].when == datetime(2021, 3, 22, 16, 55, tzinfo=UTC) and records[0].precision == "minute"
    assert records[0].item.creators == ("lur",) and records[0].extra == {"album": "The Magic Whip"}
    assert [(p.index, p.severity) for p in problems] == [(2, "skipped")]  # no time: a "now playing" row


def test_malformed(tmp_path: Path) -> None:
    path = tmp_path / "scrobbles.csv"
    path.write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        '"1720688852","11 Jul 2024, 09:07","The Cure","","Faith","","Primary",""\n'
        '"1720688656","11 Jul 2024, 09:04","Too few"\n'
        '"","31 Smarch 2024, 09:01","Someone","","","","Bad Date",""\n'
        '"","11 Jul 2024, 08:57","Someone","","","","Human Date",""\n'
        '"1720687999","","Someone","","","","",""\n',
        encoding="utf-8",
    )
    records, problems = parse_path(LastfmImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Primary", "Human Date"]
    assert records[1].when == datetime(2024, 7, 11, 8, 57, tzinfo=UTC) and records[1].precision == "minute"
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4), (4, 6)]
    assert "Smarch" in problems[1].reason
    (tmp_path / "scrobbles.csv").write_bytes(b"\xff\xd8\xff\xe0 binary \x00\x01")
    assert parse_path(LastfmImporter(), tmp_path) == ([], [])


def test_sample_person_mirrors_spotify(sample_exports: Path) -> None:
    bundle = sample_exports / "lastfm-maralind"
    assert recognitions(bundle) == {"scrobbles.csv": "lastfm"}
    records, problems = parse_path(LastfmImporter(), bundle)
    assert problems == [] and records
    assert {"Paul's Dream", "Heptapod B", "Weird Fishes/Arpeggi"} <= {r.item.title for r in records}
    assert any(r.item.ids for r in records) and any(not r.item.ids for r in records)
    # Last.fm scrobbles only real plays: the Spotify skips are not there
    assert not any(r.item.creators in (("Ed Sheeran",), ("Dua Lipa",)) for r in records)
    # every scrobble is a Spotify stream: it started when the stream began (Spotify's ts is its end)
    spotify, _ = parse_path(SpotifyImporter(), sample_exports / "my_spotify_data.zip")
    starts = {
        (r.item.title, (r.when - timedelta(seconds=r.duration_s)).replace(microsecond=0))
        for r in spotify
        if r.when and r.duration_s and r.precision == "second"
    }
    for r in records:
        assert r.when is not None
        assert (r.item.title, r.when) in starts or (r.item.title, r.when - timedelta(seconds=1)) in starts


def test_played_at_beats_the_day_column_so_repeated_plays_stay_apart(tmp_path: Path) -> None:
    """A CSV with both ``played_at`` (the instant) and ``date`` (the day): the instant is the record's time,
    and one track played three times on a day is three records, not one."""
    path = tmp_path / "lastfm_scrobbles.csv"
    path.write_text(
        "artist,album,track,played_at,date\n"
        "Nils Frahm,Spaces,Says,2020-01-05T21:14:03Z,2020-01-05\n"
        "Nils Frahm,Spaces,Says,2020-01-05T18:40:51Z,2020-01-05\n"
        "Nils Frahm,Spaces,Says,2020-01-05T09:02:17Z,2020-01-05\n",
        encoding="utf-8",
    )
    records, problems = parse_path(LastfmImporter(), tmp_path)
    assert problems == [] and len(records) == 3
    assert {r.precision for r in records} == {"second"}
    assert records[0].when == datetime(2020, 1, 5, 21, 14, 3, tzinfo=UTC)
    assert len({r.id for r in records}) == 3


def test_date_and_time_columns_make_one_instant(tmp_path: Path) -> None:
    path = tmp_path / "scrobbles-backup.csv"
    path.write_text(
        "date,time,artist,track\n2021-04-01,10:42:53,Deftones,Ohms\n2021-04-01,10:17:37,Deftones,Ohms\n",
        encoding="utf-8",
    )
    records, problems = parse_path(LastfmImporter(), tmp_path)
    assert problems == []
    assert [r.when for r in records] == [
        datetime(2021, 4, 1, 10, 42, 53, tzinfo=UTC),
        datetime(2021, 4, 1, 10, 17, 37, tzinfo=UTC),
    ]


def test_sample_person_played_at_export_keeps_every_play(tmp_path: Path) -> None:
    from selfdex.ingest import import_path
    from selfdex.sample.person import Person
    from selfdex.sample.platforms.lastfm import write_played_at
    from selfdex.store import Store

    path = write_played_at(Person(seed=7), tmp_path / "export")
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    days = {line.rsplit(",", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()[1:]}
    assert rows > len(days)  # the quirk is there: several plays share a day
    with Store(tmp_path / "s.sqlite") as store:
        summary = import_path(store, path.parent)
    assert (summary.records_read, summary.records_new, summary.records_duplicate) == (rows, rows, 0)
