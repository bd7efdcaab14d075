"""The layering rule, measured from the code's own import statements (every ``import`` in every
module, those inside functions included): a part imports only parts of its own tier or below.

    base → importers → ingest/store → profile/index → agent/rank → gate → owner/eval → cli/web/channels

``channels/`` (the HTTP API, MCP, portable exports) face recipients: they reach the data only
through the gate. ``web/`` is the owner's console, at the CLI's tier: it reaches the data through
the owner's services (``selfdex.owner``) and the gate's grant functions, never the store, ingest,
importers, profile, index, agent or rank directly. ``docs/architecture.md`` explains the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "selfdex"

TIERS: dict[str, int] = {
    **dict.fromkeys(
        ("", "model", "timeparse", "textcodec", "archive", "salvage", "settings", "readme_blocks"), 0
    ),
    "importers": 1,
    **dict.fromkeys(("ingest", "ingest_batches", "store"), 2),
    **dict.fromkeys(("profile", "index"), 3),
    **dict.fromkeys(("agent", "rank"), 4),
    "gate": 5,
    "sample": 1,  # the made-up person's exports: written with the importers' helpers
    **dict.fromkeys(("owner", "eval", "testing"), 6),
    **dict.fromkeys(("cli", "web", "channels"), 7),
}
# What each front end may import besides itself (and ``selfdex`` itself, for the version).
ALLOWED = {
    "channels": {"", "gate", "model"},
    "web": {"", "gate", "owner", "model", "timeparse", "settings"},
}


# Named exceptions, each with its reason (an import here that is not listed is a break).
EXCEPTIONS = {
    # A portable export is written in the PAM format; its content hash is the PAM importer's own, so
    # a re-import of the export deduplicates against the original.
    ("selfdex.channels.portable", "selfdex.importers.pam"),
}


def part(module: str) -> str:
    """``selfdex.store.db`` -> ``store``; ``selfdex`` -> ``""``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def imports() -> list[tuple[str, str, int]]:
    """(importing module, imported selfdex module, line) for every import statement in src/."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        package = module if rel.name == "__init__" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target.split(".")[0] == "selfdex":
                    found.append((module, target, node.lineno))
            elif isinstance(node, ast.Import):
                found += [
                    (module, a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "selfdex"
                ]
    return found


def breaks() -> list[str]:
    out = []
    for source, target, line in imports():
        src, dst = part(source), part(target)
        if src == dst or (source, target) in EXCEPTIONS:
            continue
        if TIERS[dst] > TIERS[src]:
            out.append(f"{source}:{line} imports {target} (tier {TIERS[dst]} above {TIERS[src]})")
        elif src in ALLOWED and dst not in ALLOWED[src]:
            out.append(f"{source}:{line} imports {target} ({src}/ may import only {sorted(ALLOWED[src])})")
    return out


def test_every_part_has_a_tier() -> None:
    parts = {part(m) for m, _, _ in imports()} | {part(t) for _, t, _ in imports()}
    assert parts <= set(TIERS), f"parts without a tier: {sorted(parts - set(TIERS))}"


def test_lower_layers_never_import_higher_ones_and_front_ends_keep_to_their_doors() -> None:
    assert breaks() == []


def test_the_rule_sees_a_break() -> None:
    """The measure itself: a relative import from a channel into the store is found and resolved."""
    tree = ast.parse("from ..store import queries\n")
    node = tree.body[0]
    assert isinstance(node, ast.ImportFrom) and node.level == 2
    assert any(t.startswith("selfdex.gate") for s, t, _ in imports() if s == "selfdex.channels.api")
    assert "store" not in ALLOWED["channels"] and TIERS["store"] < TIERS["channels"]
