"""The README and the code agree: every command of the ``selfdex`` click group (walked from the group
itself) and every importer of the entry-point registry is in the README; every ``selfdex …`` command
the README writes (in a code block or a code span), with its ``--options``, exists; and every generated
block of the README is what its generator prints now.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import click

from selfdex import readme_blocks, settings
from selfdex.cli.main import cli
from selfdex.importers import catalog
from selfdex.importers.registry import load_importers

from .conftest import REPO

README = REPO / "README.md"
# A command ends at a comment, a pipe or chain, or the " / " that separates two commands on one line.
_END = re.compile(r"\s(?:#|&&|\|\||\||/)\s|;|$")
# ``selfdex`` as a word followed by a space (not ``selfdex.settings``, ``~/selfdex/``, ``"selfdex",``).
_CALL = re.compile(r"(?<![\w./-])selfdex[ \t]+(?=\S)")


@dataclass(frozen=True)
class Written:
    """One ``selfdex …`` in the README: the words after ``selfdex`` and the README line."""

    words: tuple[str, ...]
    line: int


def commands(group: click.Group = cli) -> dict[tuple[str, ...], click.Command]:
    """Every command and sub-command of the CLI (its path under ``selfdex``), groups included."""
    found: dict[tuple[str, ...], click.Command] = {}

    def walk(cmd: click.Group, path: tuple[str, ...], parent: click.Context | None) -> None:
        ctx = click.Context(cmd, info_name=path[-1] if path else "selfdex", parent=parent)
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"selfdex {' '.join(path)} lists {name!r} but has no such command"
            if sub.hidden:
                continue
            found[(*path, name)] = sub
            if isinstance(sub, click.Group):
                walk(sub, (*path, name), ctx)

    walk(group, (), None)
    return found


def leaves() -> set[tuple[str, ...]]:
    """The commands a person runs (a group is documented through its sub-commands)."""
    return {path for path, cmd in commands().items() if not isinstance(cmd, click.Group)}


def code_of(markdown: str) -> Iterator[tuple[str, int]]:
    """Each line of a fenced code block and each inline code span, with its README line number."""
    fenced = False
    for number, line in enumerate(markdown.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            yield line, number
        else:
            yield from ((span, number) for span in re.findall(r"`([^`]+)`", line))


def written(markdown: str) -> list[Written]:
    """Every ``selfdex …`` command the text writes in code."""
    out = []
    for code, number in code_of(markdown):
        for call in _CALL.finditer(code):
            rest = code[call.end() :]
            words = rest[: _END.search(rest).start()].split()  # type: ignore[union-attr]
            # Quotes, brackets and punctuation around a word belong to the prose or the shell around it.
            out.append(Written(tuple(w.strip("`\"'()[],.:") for w in words), number))
    return out


def resolve(words: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """(the command path the words name, problems): an unknown sub-command or option is a problem."""
    known = commands()
    path: tuple[str, ...] = ()
    cmd: click.Command = cli
    problems = []
    expects_value = False
    for word in words:
        if expects_value:
            expects_value = False
            continue
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            option = next((p for p in cmd.params if name in (*p.opts, *p.secondary_opts)), None)
            builtin = ("-h", "--help", *(("--version",) if cmd is cli else ()))
            if option is None and name not in builtin:
                problems.append(f"selfdex {' '.join(path)} has no option {name}")
            expects_value = isinstance(option, click.Option) and not option.is_flag and "=" not in word
            continue
        if not isinstance(cmd, click.Group):
            continue  # an argument of a command, or the value of one of its options
        if (*path, word) not in known:
            problems.append(f"selfdex {' '.join((*path, word))} is no command")
            break
        path = (*path, word)
        cmd = known[path]
    return path, problems


def missing_commands(markdown: str) -> list[str]:
    documented = {resolve(w.words)[0] for w in written(markdown)}
    return sorted(" ".join(path) for path in leaves() - documented)


def unknown_commands(markdown: str) -> list[str]:
    return [f"README line {w.line}: {p}" for w in written(markdown) for p in resolve(w.words)[1]]


def test_every_command_is_in_the_readme() -> None:
    missing = missing_commands(README.read_text(encoding="utf-8"))
    assert missing == [], f"commands the README does not show (as `selfdex noun verb`): {missing}"


def test_every_command_the_readme_writes_exists() -> None:
    unknown = unknown_commands(README.read_text(encoding="utf-8"))
    assert unknown == [], "\n".join(unknown)


def test_every_registered_importer_is_in_the_readme_table() -> None:
    listed = catalog.block(README.read_text(encoding="utf-8"))
    assert listed is not None, "README has lost its supported-exports markers"
    named = {row.split("|")[2].strip().strip("`") for row in listed.splitlines() if row.startswith("| ")}
    registered = {i.name for i in load_importers()}
    assert registered - named == set(), "importers the README's table does not list"
    assert named - {"importer"} - registered == set(), "the README lists importers that are not registered"


def test_every_generated_block_is_fresh() -> None:
    text = README.read_text(encoding="utf-8")
    generated = {
        "python -m selfdex.importers.catalog README.md": (catalog.START, catalog.END, catalog.table()),
        "python -m selfdex.settings README.md": (settings.START, settings.END, settings.table()),
    }
    for command, (start, end, fresh) in generated.items():
        current = readme_blocks.block(text, start, end)
        assert current is not None, f"README has lost the block of {command}"
        assert current == fresh, f"stale README block: run {command}"


def test_a_deleted_command_line_is_found() -> None:
    """The check can fail: the README without its ``grant revoke`` lines misses that command."""
    text = README.read_text(encoding="utf-8")
    without = "\n".join(line for line in text.splitlines() if "selfdex grant revoke" not in line)
    assert "grant revoke" not in missing_commands(text)
    assert "grant revoke" in missing_commands(without)


def test_an_unknown_command_or_option_is_found() -> None:
    page = "```bash\nselfdex grant frobnicate x\nselfdex sources --nope   # comment --ignored\n```\n"
    page += "Run `selfdex serve --mcp-stdio` / `selfdex import A B --csv-map m.toml`.\n"
    assert unknown_commands(page) == [
        "README line 2: selfdex grant frobnicate is no command",
        "README line 3: selfdex sources has no option --nope",
    ]


def test_one_line_may_write_several_commands() -> None:
    page = "```\nselfdex jobs list / selfdex jobs show 3   # both\nselfdex audit show && selfdex audit verify\n```"
    assert [resolve(w.words)[0] for w in written(page)] == [
        ("jobs", "list"),
        ("jobs", "show"),
        ("audit", "show"),
        ("audit", "verify"),
    ]
