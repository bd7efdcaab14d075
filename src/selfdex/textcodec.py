"""Which text encoding a file is in, and how we know.

Exports are UTF-8 nearly always, but spreadsheets re-saved on Windows arrive as UTF-16 (Excel's
"Unicode text") or in a legacy code page (Latin-1 / cp1252), and decoding those as UTF-8 silently
turns every accent into U+FFFD. In order: a byte-order mark; UTF-16 without a BOM (every other byte
NUL); valid UTF-8; else ``charset-normalizer``'s best guess (cp1252 when it has none).
"""

from __future__ import annotations

import codecs

__all__ = ["TEXT_SNIFF_BYTES", "bom_or_utf16", "detect_encoding"]

TEXT_SNIFF_BYTES = 1 << 16

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_or_utf16(data: bytes) -> str | None:
    """The codec a BOM names, or UTF-16 LE/BE recognised by its NUL pattern; None otherwise."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    sample = data[:512]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def detect_encoding(data: bytes, *, complete: bool = False) -> tuple[str, str]:
    """(codec, how) for a file starting with ``data`` (``complete``: that is the whole file).

    ``how`` is "utf-8" for plain UTF-8 and otherwise says what was found, for the import report."""
    if codec := bom_or_utf16(data):
        how = "byte-order mark" if any(data.startswith(b) for b, _ in _BOMS) else "NUL pattern"
        return codec, "utf-8" if codec == "utf-8-sig" else f"{codec} ({how})"
    try:
        data.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8", "utf-8"  # the sample cut a multi-byte character in two
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=None).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        return "cp1252", "cp1252 (not UTF-8; no better guess)"
    codec = codecs.lookup(best.encoding).name
    return codec, f"{codec} (not UTF-8; detected by charset-normalizer)"
