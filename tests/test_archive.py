"""Archive layer: folders, zips (nested), tars, and refusal of unsafe content while the rest imports."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from selfdex.archive import ArchiveLimits, Entry, iter_entries
from selfdex.model import ImportProblem

RATINGS = b"Date,Name,Year,Letterboxd URI,Rating\n2024-01-02,Arrival,2016,https://boxd.it/aaaa,5\n"


def _zip(path: Path, members: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _walk(path: Path, limits: ArchiveLimits | None = None) -> tuple[dict[str, bytes], list[ImportProblem]]:
    files: dict[str, bytes] = {}
    problems: list[ImportProblem] = []
    for item in iter_entries(path, limits):
        if isinstance(item, Entry):
            with item.open() as fh:
                files[item.path] = fh.read()
        else:
            problems.append(item)
    return files, problems


def test_folder_and_plain_file(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "ratings.csv").write_bytes(RATINGS)
    (tmp_path / ".DS_Store").write_bytes(b"junk")
    files, problems = _walk(tmp_path)
    assert files == {"a/b/ratings.csv": RATINGS} and problems == []
    files, _ = _walk(tmp_path / "a" / "b" / "ratings.csv")
    assert files == {"ratings.csv": RATINGS}


def test_nested_zips_are_read_without_extracting(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("Retail/ratings.csv", RATINGS)
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as zf:
        zf.writestr("Retail.OrderHistory.1.zip", inner.getvalue())
    outer = _zip(tmp_path / "Your Orders.zip", {"inner/middle.zip": middle.getvalue(), "README.txt": b"hi"})
    before = set(os.listdir(tmp_path))
    files, problems = _walk(outer)
    assert problems == []
    assert files["inner/middle.zip!/Retail.OrderHistory.1.zip!/Retail/ratings.csv"] == RATINGS
    assert files["README.txt"] == b"hi"
    assert set(os.listdir(tmp_path)) == before  # nothing was unpacked next to the archive


def test_multipart_takeout_folder(tmp_path: Path) -> None:
    _zip(tmp_path / "takeout-001.zip", {"Takeout/a.csv": b"1"})
    _zip(tmp_path / "takeout-002.zip", {"Takeout/b.csv": b"2"})
    files, problems = _walk(tmp_path)
    assert problems == []
    assert files == {"takeout-001.zip!/Takeout/a.csv": b"1", "takeout-002.zip!/Takeout/b.csv": b"2"}


def test_zip_slip_and_symlink_refused_rest_kept(tmp_path: Path) -> None:
    bad = _zip(
        tmp_path / "bad.zip",
        {"../../etc/evil.csv": b"x", "/abs/path.csv": b"y", "ok/ratings.csv": RATINGS},
        symlinks={"ok/link.csv": "/etc/passwd"},
    )
    files, problems = _walk(bad)
    assert files == {"ok/ratings.csv": RATINGS}
    reasons = {p.member: p.reason for p in problems}
    assert all(p.severity == "refused" for p in problems)
    assert any("zip-slip" in r for r in reasons.values())
    assert "symbolic link" in reasons["ok/link.csv"]
    assert len(problems) == 3


def test_zip_bomb_refused_by_ratio(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"huge.json": b"\0" * (24 * 2**20), "ok.csv": RATINGS})
    files, problems = _walk(bomb)
    assert files == {"ok.csv": RATINGS}
    assert len(problems) == 1 and "zip bomb" in problems[0].reason and problems[0].member == "huge.json"


def test_member_and_total_caps(tmp_path: Path) -> None:
    z = _zip(tmp_path / "z.zip", {"a.csv": b"a" * 5000, "b.csv": b"b" * 10})
    files, problems = _walk(z, ArchiveLimits(max_member_bytes=1000))
    assert list(files) == ["b.csv"] and "cap" in problems[0].reason
    files, problems = _walk(z, ArchiveLimits(max_total_bytes=4000))
    assert files == {} and "in total" in problems[0].reason


def test_too_deep_nesting_refused(tmp_path: Path) -> None:
    data = RATINGS
    for i in range(6):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"level{i}.zip" if i else "ratings.csv", data)
        data = buf.getvalue()
    (tmp_path / "deep.zip").write_bytes(data)
    files, problems = _walk(tmp_path / "deep.zip")
    assert files == {} and "nested" in problems[0].reason


def test_tar_and_tgz_with_unsafe_members(tmp_path: Path) -> None:
    for name, mode in (("x.tar", "w"), ("x.tgz", "w:gz")):
        path = tmp_path / name
        with tarfile.open(path, mode) as tf:
            for member, data in (("export/ratings.csv", RATINGS), ("../escape.csv", b"x")):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo("export/link.csv")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            tf.addfile(link)
        files, problems = _walk(path)
        assert files == {"export/ratings.csv": RATINGS}
        assert sorted(p.reason.split(":")[0] for p in problems) == ["refused", "refused"]


def test_symlink_out_of_folder_refused(tmp_path: Path) -> None:
    root = tmp_path / "export"
    root.mkdir()
    (root / "ratings.csv").write_bytes(RATINGS)
    secret = tmp_path / "secret.txt"
    secret.write_text("nope")
    (root / "link.txt").symlink_to(secret)
    (root / "inner_link.csv").symlink_to(root / "ratings.csv")
    files, problems = _walk(root)
    assert files == {"ratings.csv": RATINGS, "inner_link.csv": RATINGS}
    assert [p.member for p in problems] == ["link.txt"] and problems[0].severity == "refused"


def test_garbage_and_truncated_zip_are_problems(tmp_path: Path) -> None:
    good = _zip(tmp_path / "good.zip", {"a.csv": RATINGS})
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[:40])
    files, problems = _walk(truncated)
    assert files == {} and "cut short" in problems[0].reason
    assert "looks incomplete (a download cut short?): 0 of 1 files read" in problems[-1].reason
    files, problems = _walk(tmp_path / "missing.zip")
    assert files == {} and "no such file" in problems[0].reason


@pytest.mark.parametrize("n", [1, 10_000])
def test_entry_head_is_cached_and_bounded(tmp_path: Path, n: int) -> None:
    (tmp_path / "f.txt").write_bytes(b"x" * n)
    entry = next(e for e in iter_entries(tmp_path / "f.txt") if isinstance(e, Entry))
    assert entry.head(16) == b"x" * min(16, n)
    assert entry.head(16) is not None and len(entry.head()) == min(n, 8192)
