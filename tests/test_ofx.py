from __future__ import annotations

from pathlib import Path

from selfdex.importers.ofx import OfxImporter, mask_account
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "ofx"
    assert set(recognitions(folder).values()) == {"ofx"}
    records, problems = parse_path(OfxImporter(), folder)
    assert problems == []
    by_file: dict[str, list] = {}
    for r in records:
        assert r.provenance is not None
        by_file.setdefault(r.provenance.member, []).append(r)
    # OFX 1.02 SGML, unclosed leaf tags, offset in brackets
    mcd = by_file["bank_medium.ofx"][0]
    assert (mcd.action, mcd.amount, mcd.currency, mcd.item.title) == ("paid", -6.6, "CAD", "MCDONALD'S #112")
    assert mcd.when is not None and mcd.when.isoformat() == "2009-04-01T17:20:17+00:00"
    assert mcd.original_tz == "-05:00" and mcd.item.ids == {"fitid": "0000123456782009040100001"}
    # account numbers are masked to the last four characters
    assert mcd.extra["account"] == "**************5678"
    # positive amount: money came in
    dividend = by_file["checking.ofx"][0]
    assert dividend.action == "received" and dividend.amount == 0.01
    assert dividend.extra["memo"].startswith("DIVIDEND EARNED FOR PERIOD OF 03/01/2011")
    # empty tags (<CURDEF></CURDEF>, <FITID></FITID>, <NAME></NAME>): currency from CURSYM, memo as title
    (empty,) = by_file["ofx-v102-empty-tags.ofx"]
    assert (empty.currency, empty.item.title, empty.item.ids, empty.precision) == (
        "AUD",
        "CBA:Transfer",
        {},
        "day",
    )
    # OFX 2.x XML with CDATA names; credit-card statement in 2.03 with unclosed leaves
    (aldi,) = by_file["suncorp.ofx"]
    assert aldi.item.title == "EFTPOS WDL HANDYWAY ALDI STORE" and aldi.amount == -16.85
    (card,) = by_file["anzcc.ofx"]
    assert card.extra["account_type"] == "CREDITCARD" and card.currency == "AUD"
    # multiple accounts in one file, balances only: no transactions, no problems
    assert "multiple_accounts.ofx" not in by_file
    # investment statement: trades named after the security, entities unescaped
    trades = by_file["fidelity.ofx"]
    intel = next(r for r in trades if r.extra.get("ticker") == "INTC" and r.extra["type"] == "BUYSTOCK")
    assert intel.item.title == "INTEL CORP" and intel.amount == -2571.45 and intel.quantity == 100
    assert any(r.item.title and r.item.title.startswith("SPDR S&P 500") for r in trades)
    assert {r.item.title for r in trades if r.extra["type"] == "DEP"} == {"INTEREST EARNED"}


def test_mask_account() -> None:
    assert mask_account("DE89370400440532013000") == "*" * 18 + "3000"
    assert mask_account("123") == "123"


SGML = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
CHARSET:1252

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>DE12500105170648489890</BANKACCTFROM>
<BANKTRANLIST>
<STMTTRN><TRNTYPE>POS<DTPOSTED>20240305<TRNAMT>-4,50x<FITID>a1<NAME>Caf\xe9</STMTTRN>
<STMTTRN><TRNTYPE>POS<DTPOSTED>20240306120000[+1:CET]<TRNAMT>-3.20<NAME>Caf\xe9 M\xfcller</STMTTRN>
<STMTTRN><TRNTYPE>POS<DTPOSTED>20240306120000[+1:CET]<TRNAMT>-3.20<NAME>Caf\xe9 M\xfcller</STMTTRN>
<STMTTRN><TRNTYPE>POS<DTPOSTED>notadate<TRNAMT>-1.00<FITID>a4<NAME>X</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240307<TRNAMT>2500.00<FITID>a5<NAME>Salary
"""


def test_malformed_and_truncated(tmp_path: Path) -> None:
    (tmp_path / "stmt.qfx").write_bytes(SGML.encode("cp1252"))
    records, problems = parse_path(OfxImporter(), tmp_path)
    # OFX allows a decimal comma
    assert records[0].item.title == "Café" and records[0].amount == -4.5
    titles = [r.item.title for r in records]
    assert titles.count("Café Müller") == 2  # cp1252 decoded; identical rows without FITID stay distinct
    assert len({r.id for r in records if r.item.title == "Café Müller"}) == 2
    cafe = next(r for r in records if r.item.title == "Café Müller")
    assert cafe.when is not None and cafe.when.isoformat() == "2024-03-06T11:00:00+00:00"
    assert "Salary" in titles and records[-1].action == "received"
    bad = [p for p in problems if "DTPOSTED='notadate'" in p.reason]
    assert len(bad) == 1 and bad[0].index == 3 and bad[0].line == 11
    assert any("truncated" in p.reason for p in problems)


def test_garbage_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "x.ofx").write_bytes(b"\x00\x01 binary junk")
    records, problems = parse_path(OfxImporter(), tmp_path)
    assert records == [] and problems == []


def test_single_line_qfx_with_intuit_tags(tmp_path: Path) -> None:
    """QFX = OFX + Intuit's dotted <INTU.BID>/<INTU.USERID> tags; some banks write the body on one line."""
    body = (
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20240401"
        "<LANGUAGE>ENG<INTU.BID>3000<INTU.USERID>mara</SONRS></SIGNONMSGSRSV1>"
        "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>4111111111111111"
        "</CCACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240330120000.000[-7:PDT]"
        "<TRNAMT>-12.99<FITID>q1<NAME>BANDCAMP</STMTTRN></BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS>"
        "</CREDITCARDMSGSRSV1></OFX>"
    )
    (tmp_path / "card.qfx").write_text("OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\n\r\n" + body)
    assert set(recognitions(tmp_path).values()) == {"ofx"}
    (record,), problems = parse_path(OfxImporter(), tmp_path)
    assert problems == []
    assert (record.action, record.amount, record.currency, record.item.title) == (
        "paid",
        -12.99,
        "USD",
        "BANDCAMP",
    )
    assert record.when is not None and record.when.isoformat() == "2024-03-30T19:00:00+00:00"
    assert record.original_tz == "-07:00" and record.extra["account"].endswith("1111")
