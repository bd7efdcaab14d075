"""OFX / QFX / QBO bank and card statements ("Download to Quicken/Money").

Two generations: OFX 1.x is SGML (a ``OFXHEADER:100`` header block, then tags whose leaf elements are
never closed, sometimes all on one line) and OFX 2.x is XML (``<?OFX OFXHEADER="200"?>``). Real files mix
the two (XML header with unclosed leaves), carry empty tags (``<NAME></NAME>``) and Intuit's dotted
``INTU.BID`` tags (QFX), so one small tolerant parser reads them all instead of an XML parser: a leaf is
a tag followed by text, an aggregate is a tag followed by another tag, and a closing tag pops back to its
opener wherever it is. Each ``STMTTRN`` becomes "paid" (negative) or "received" (positive) in the
statement's ``CURDEF`` currency; investment trades (``BUYSTOCK``, ``INCOME``…) become transactions named
after the security. Dates are ``YYYYMMDD[HHMMSS[.XXX]][offset:TZ]``, GMT when no offset is given.
Account numbers are kept masked to their last four characters.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Precision, Record
from ._util import clean, prov, to_float
from .base import Importer, ParseResult

_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9_.]*)\s*>([^<]*)")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_STATEMENTS = ("STMTRS", "CCSTMTRS", "INVSTMTRS")
_ACCOUNTS = ("BANKACCTFROM", "CCACCTFROM", "INVACCTFROM")
_TRADES = frozenset(
    {
        "BUYDEBT",
        "BUYMF",
        "BUYOPT",
        "BUYOTHER",
        "BUYSTOCK",
        "SELLDEBT",
        "SELLMF",
        "SELLOPT",
        "SELLOTHER",
        "SELLSTOCK",
        "INCOME",
        "REINVEST",
        "INVEXPENSE",
        "RETOFCAP",
        "MARGININTEREST",
    }
)
_MAX_BYTES = 256 * 2**20  # statements are KBs; refuse to slurp something absurd


@dataclass
class _Node:
    name: str
    pos: int
    leaves: dict[str, str] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)

    def find(self, name: str) -> _Node | None:
        for child in self.children:
            if child.name == name:
                return child
        return None

    def walk(self) -> Any:
        yield self
        for child in self.children:
            yield from child.walk()

    def leaf(self, *path: str) -> str | None:
        node: _Node | None = self
        for name in path[:-1]:
            node = node.find(name) if node else None
        return clean(node.leaves.get(path[-1])) if node else None


def _parse_tree(text: str, start: int) -> tuple[_Node, bool]:
    """The OFX body as a tree; the flag says whether ``</OFX>`` closed it (False: truncated)."""
    root = _Node("#root", start)
    stack = [root]
    tokens = list(_TOKEN.finditer(text, start))
    closed = False
    i = 0
    while i < len(tokens):
        m = tokens[i]
        closing, name, tail = m.group(1), m.group(2).upper(), m.group(3)
        i += 1
        if closing:
            names = [n.name for n in stack]
            if name in names[1:]:
                del stack[names.index(name) :]
                if name == "OFX":
                    closed = True
            continue
        value = html.unescape(tail.strip()) if "&" in tail else tail.strip()
        nxt = tokens[i] if i < len(tokens) else None
        if value or (nxt is not None and nxt.group(1) and nxt.group(2).upper() == name):
            stack[-1].leaves[name] = value  # a leaf, SGML-unclosed or XML-closed
            if nxt is not None and nxt.group(1) and nxt.group(2).upper() == name:
                i += 1
            continue
        node = _Node(name, m.start())
        stack[-1].children.append(node)
        stack.append(node)
    return root, closed


_TZ_NAMES = {"GMT": 0, "UTC": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8}


def _parse_date(text: str) -> tuple[datetime, str | None, Precision] | None:
    """``20190722175849.530[-7:PDT]`` → (UTC instant, written offset, precision)."""
    body, _, zone = text.partition("[")
    body = body.strip()
    digits = body[:14]
    frac = ""
    if len(body) > 14 and body[14] in ".:":  # ":014" is a seen variant of ".014"
        frac = body[15:18]
    if len(digits) < 8 or not digits.isdigit():
        return None
    try:
        naive = datetime(
            int(digits[:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10] or 0),
            int(digits[10:12] or 0),
            int(digits[12:14] or 0),
            int(frac.ljust(3, "0")) * 1000 if frac.isdigit() else 0,
        )
    except ValueError:
        return None
    precision: Precision = "day" if len(digits) == 8 else "ms" if frac else "second"
    if len(digits) == 8:
        return naive.replace(tzinfo=UTC), None, precision
    offset_h: float | None = None
    if zone:
        spec = zone.rstrip("]")
        num, _, name = spec.partition(":")
        try:
            offset_h = float(num) if num.strip() else None
        except ValueError:
            offset_h = None
        if offset_h is None:
            offset_h = _TZ_NAMES.get(name.strip().upper())
    if offset_h is None:
        return naive.replace(tzinfo=UTC), "UTC", precision  # the spec's default is GMT
    delta = timedelta(hours=offset_h)
    sign = "-" if offset_h < 0 else "+"
    minutes = int(abs(offset_h) * 60)
    label = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return naive.replace(tzinfo=timezone(delta)).astimezone(UTC), label, precision


def _amount(text: str | None) -> float | None:
    """OFX allows a comma as the decimal separator ("-4,50"); it never writes thousands separators."""
    if text and "," in text and "." not in text:
        text = text.replace(",", ".")
    return to_float(text)


def mask_account(number: str) -> str:
    return "*" * max(0, len(number) - 4) + number[-4:]


def _decode(data: bytes) -> str:
    head = data[:600].upper()
    if b"CHARSET:1252" in head or b'ENCODING="WINDOWS-1252"' in head:
        return data.decode("cp1252", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class OfxImporter(Importer):
    name = "ofx"
    platform = "bank"
    version = "1"
    description = "OFX 1.x (SGML) and 2.x (XML) statements, QFX and QBO: bank, card and investment accounts"
    handles = ("*.ofx", "*.qfx", "*.qbo")

    def recognize(self, entry: Entry) -> float:
        head = entry.text_head(2048).lstrip().upper()
        looks = head.startswith("OFXHEADER") or "<?OFX" in head or "<OFX>" in head
        if not looks:
            return 0.0
        return 0.95 if entry.suffix in (".ofx", ".qfx", ".qbo") else 0.85

    def parse(self, entry: Entry) -> ParseResult:
        with entry.open() as fh:
            data = fh.read(_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            yield ImportProblem(
                "OFX file larger than 256 MiB: not a statement", entry.path, severity="unsupported"
            )
            return
        text = _decode(data)
        if "<!" in text:  # CDATA-wrapped names (Suncorp), comments; keeps the text, escaped
            text = _COMMENT.sub("", _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), text))
        start = text.upper().find("<OFX>")
        if start < 0:
            yield ImportProblem("OFX header but no <OFX> body", entry.path, excerpt=text[:200])
            return
        newlines = [i for i, ch in enumerate(text) if ch == "\n"]

        def line_of(pos: int) -> int:
            return bisect.bisect_right(newlines, pos) + 1

        root, closed = _parse_tree(text, start)
        securities = {
            n.leaf("SECID", "UNIQUEID"): n
            for n in root.walk()
            if n.name == "SECINFO" and n.leaf("SECID", "UNIQUEID")
        }
        index = 0
        found = False
        for stmt in (n for n in root.walk() if n.name in _STATEMENTS):
            found = True
            currency = stmt.leaf("CURDEF")
            account_node = next((stmt.find(a) for a in _ACCOUNTS if stmt.find(a)), None)
            account: dict[str, str] = {}
            if account_node is not None:
                if acct := account_node.leaf("ACCTID"):
                    account["account"] = mask_account(acct)
                for key, name in (
                    ("BANKID", "bank_id"),
                    ("ACCTTYPE", "account_type"),
                    ("BROKERID", "broker"),
                ):
                    if value := account_node.leaf(key):
                        account[name] = value
                if account_node.name == "CCACCTFROM":
                    account.setdefault("account_type", "CREDITCARD")
            for node in stmt.walk():
                if node.name == "STMTTRN":
                    yield self._transaction(entry, node, index, line_of(node.pos), currency, account)
                    index += 1
                elif node.name in _TRADES:
                    yield self._trade(entry, node, index, line_of(node.pos), currency, account, securities)
                    index += 1
        if not found:
            yield ImportProblem(
                "OFX file without a bank, card or investment statement (e.g. a sign-on or profile response)",
                entry.path,
                severity="skipped",
            )
        if not closed:
            yield ImportProblem(
                f"file ends before </OFX> (truncated?); {index} transactions read",
                entry.path,
                index=index,
                line=len(newlines) + 1,
            )

    def _transaction(
        self,
        entry: Entry,
        node: _Node,
        index: int,
        line: int,
        currency: str | None,
        account: dict[str, str],
    ) -> Record | ImportProblem:
        amount = _amount(node.leaf("TRNAMT"))
        posted = node.leaf("DTPOSTED") or node.leaf("DTUSER") or ""
        stamp = _parse_date(posted)
        if amount is None or stamp is None:
            return ImportProblem(
                f"transaction without a readable amount/date (TRNAMT={node.leaf('TRNAMT')!r}, DTPOSTED={posted!r})",
                entry.path,
                index=index,
                line=line,
            )
        name, memo = node.leaf("NAME"), node.leaf("MEMO")
        fitid = node.leaf("FITID")
        extra: dict[str, Any] = dict(account)
        if trntype := node.leaf("TRNTYPE"):
            extra["type"] = trntype.upper()
        if memo and name and memo != name:
            extra["memo"] = memo
        for key, label in (("CHECKNUM", "check_number"), ("REFNUM", "reference"), ("SIC", "sic")):
            if (value := node.leaf(key)) and value != "0":
                extra[label] = value
        if category := node.leaf("CATEGORY"):
            extra["category"] = category
        # Without a FITID two same-day, same-amount purchases at one shop would collide: keep them apart.
        extra["identity"] = f"{account.get('account', '')}:{'' if fitid else index}"
        return Record(
            platform=self.platform,
            action="paid" if amount < 0 else "received",
            item=Item(kind="transaction", title=name or memo, ids={"fitid": fitid} if fitid else {}),
            when=stamp[0],
            original_tz=stamp[1],
            precision=stamp[2],
            amount=amount,
            currency=node.leaf("CURRENCY", "CURSYM") or node.leaf("ORIGCURRENCY", "CURSYM") or currency,
            extra=extra,
            raw={**node.leaves, **{c.name: dict(c.leaves) for c in node.children}},
            provenance=prov(entry, index, line),
        )

    def _trade(
        self,
        entry: Entry,
        node: _Node,
        index: int,
        line: int,
        currency: str | None,
        account: dict[str, str],
        securities: dict[str | None, _Node],
    ) -> Record | ImportProblem:
        inner = next((c for c in node.children if c.name in ("INVBUY", "INVSELL")), node)
        tran = inner.find("INVTRAN")
        when_text = (tran.leaf("DTTRADE") if tran else None) or ""
        stamp = _parse_date(when_text)
        amount = _amount(inner.leaf("TOTAL"))
        if stamp is None or amount is None:
            return ImportProblem(
                f"{node.name} without a readable trade date/total", entry.path, index=index, line=line
            )
        sec_id = inner.leaf("SECID", "UNIQUEID")
        sec = securities.get(sec_id)
        title = (sec.leaf("SECNAME") if sec else None) or sec_id
        fitid = tran.leaf("FITID") if tran else None
        extra: dict[str, Any] = {**account, "type": node.name}
        if sec_id:
            extra["security_id"] = sec_id
        if sec is not None and (ticker := sec.leaf("TICKER")):
            extra["ticker"] = ticker
        if (memo := tran.leaf("MEMO") if tran else None) is not None:
            extra["memo"] = memo
        extra["identity"] = f"{account.get('account', '')}:{'' if fitid else index}"
        return Record(
            platform=self.platform,
            action="paid" if amount < 0 else "received",
            item=Item(kind="transaction", title=title, ids={"fitid": fitid} if fitid else {}),
            when=stamp[0],
            original_tz=stamp[1],
            precision=stamp[2],
            amount=amount,
            currency=inner.leaf("CURRENCY", "CURSYM") or currency,
            quantity=to_float(inner.leaf("UNITS")),
            extra=extra,
            raw={**inner.leaves, **{c.name: dict(c.leaves) for c in inner.children}},
            provenance=prov(entry, index, line),
        )
