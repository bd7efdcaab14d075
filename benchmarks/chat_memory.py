"""Peak memory and speed of the chat importers on large exports: ChatGPT, WhatsApp, Telegram.

Generates, streaming:

* a ChatGPT ``conversations.json`` of at least ``--chatgpt-mb`` MB (default 600, the size users report):
  conversations with message trees (an edited prompt's abandoned branch, tool and system nodes);
* a WhatsApp ``_chat.txt`` of at least ``--whatsapp-mb`` MB (iOS layout, multi-line messages);
* a Telegram Desktop ``result.json`` of at least ``--telegram-mb`` MB (one huge group chat).

Each is then parsed (``parse``) and imported into a fresh store (``import``) in its own subprocess, measured
the way ``benchmarks/import_memory.py`` measures (its probe is reused), and the table is written with the
command to ``benchmarks/results/chat_memory.md``.

    python benchmarks/chat_memory.py --chatgpt-mb 600 --whatsapp-mb 100 --telegram-mb 300
    python benchmarks/chat_memory.py --chatgpt-mb 5 --whatsapp-mb 5 --telegram-mb 5 --modes parse   # smoke
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shlex
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from import_memory import RSS_TARGET_MB, measure  # noqa: E402  (the same probe, the same numbers)

RESULTS = HERE / "results" / "chat_memory.md"
_WORDS = [
    "the",
    "spice",
    "must",
    "flow",
    "desert",
    "arrakis",
    "paul",
    "fremen",
    "worm",
    "water",
    "tears",
    "sand",
    "house",
    "atreides",
    "harkonnen",
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def write_chatgpt(root: Path, megabytes: float, seed: int = 7) -> Path:
    path = root / "conversations.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    written, n = 0, 0
    t = 1_690_000_000.0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        while written < target:
            mapping: dict[str, dict[str, object]] = {
                "root": {"id": "root", "message": None, "parent": None, "children": []}
            }
            parent = "root"
            for i in range(rng.randrange(6, 30)):
                nid = f"{n}-{i}"
                role = "user" if i % 2 == 0 else "assistant"
                msg = {
                    "id": nid,
                    "author": {"role": role, "name": None, "metadata": {}},
                    "create_time": t,
                    "content": {"content_type": "text", "parts": [_sentence(rng, rng.randrange(8, 120))]},
                    "weight": 1.0,
                    "metadata": {"model_slug": "gpt-4o"} if role == "assistant" else {},
                }
                mapping[nid] = {"id": nid, "message": msg, "parent": parent, "children": []}
                mapping[parent]["children"].append(nid)  # type: ignore[attr-defined]
                if i == 0:  # an edited first prompt leaves its old branch behind
                    old = f"{n}-old"
                    mapping[old] = {
                        "id": old,
                        "message": {**msg, "id": old},
                        "parent": parent,
                        "children": [],
                    }
                    mapping[parent]["children"].append(old)  # type: ignore[attr-defined]
                parent = nid
                t += rng.randrange(5, 600)
            conv = {
                "title": _sentence(rng, 4),
                "create_time": t,
                "mapping": mapping,
                "current_node": parent,
                "conversation_id": f"c-{n}",
                "is_do_not_remember": n % 50 == 0,
                "default_model_slug": "gpt-4o",
            }
            data = ("," if n else "") + json.dumps(conv)
            fh.write(data)
            written += len(data)
            n += 1
        fh.write("]")
    return path


def write_whatsapp(root: Path, megabytes: float, seed: int = 7) -> Path:
    path = root / "WhatsApp Chat - Dune Night" / "_chat.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    t = datetime(2016, 1, 1, 8, 0, 0)
    people = ("Jonas Müller", "Lea Hoffmann", "Mara Lindqvist", "+49 151 23456789")
    written = 0
    with path.open("w", encoding="utf-8", newline="\r\n") as fh:
        while written < target:
            lines = []
            for _ in range(1000):
                text = _sentence(rng, rng.randrange(2, 30))
                if rng.random() < 0.1:
                    text += "\n" + _sentence(rng, 5)
                lines.append(f"[{t:%d.%m.%y, %H:%M:%S}] {rng.choice(people)}: {text}\n")
                t += timedelta(seconds=rng.randrange(5, 900))
            chunk = "".join(lines)
            fh.write(chunk)
            written += len(chunk.encode("utf-8"))
    return path


def write_telegram(root: Path, megabytes: float, seed: int = 7) -> Path:
    path = root / "DataExport" / "result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    head = {"about": "x", "personal_information": {"user_id": 1, "first_name": "Mara"}}
    written, i, t = 0, 0, 1_500_000_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            json.dumps(head)[:-1] + ', "chats": {"about": "", "list": [{"name": "Runners", '
            '"type": "private_supergroup", "id": 77, "messages": ['
        )
        while written < target:
            sender = rng.choice(("Lea Hoffmann", "Katrin Vogel", "Mara Lindqvist"))
            msg = {
                "id": i,
                "type": "message",
                "date": "2017-07-14T04:40:00",
                "date_unixtime": str(t),
                "from": sender,
                "from_id": "user1" if sender.startswith("Mara") else f"user{hash(sender) % 999}",
                "text": [_sentence(rng, 6), {"type": "link", "text": "https://example.org"}]
                if i % 7 == 0
                else _sentence(rng, rng.randrange(3, 40)),
            }
            data = ("," if i else "") + json.dumps(msg)
            fh.write(data)
            written += len(data)
            i += 1
            t += rng.randrange(5, 600)
        fh.write("]}]}}")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chatgpt-mb", type=float, default=600)
    ap.add_argument("--whatsapp-mb", type=float, default=100)
    ap.add_argument("--telegram-mb", type=float, default=300)
    ap.add_argument("--only", choices=("chatgpt", "whatsapp", "telegram"), action="append")
    ap.add_argument("--modes", default="parse,import")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="selfdex-chat-"))
    plan = {
        "chatgpt": ("ChatGPT conversations.json", write_chatgpt, args.chatgpt_mb),
        "whatsapp": ("WhatsApp _chat.txt", write_whatsapp, args.whatsapp_mb),
        "telegram": ("Telegram result.json", write_telegram, args.telegram_mb),
    }
    lines = [
        "| File | Size (MB) | Mode | Records | Problems | Time (s) | MB/s | Peak RSS (MB) | < 300 MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|:-:|",
    ]
    try:
        for key in args.only or list(plan):
            label, writer, megabytes = plan[key]
            path = writer(out / key, megabytes)
            size_mb = path.stat().st_size / 1e6
            for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
                report, peak = measure(mode, path, out)
                seconds = report.get("seconds") or 0
                ok = "–" if peak != peak else ("✅" if peak < RSS_TARGET_MB else "❌")
                row = (
                    f"| {label} | {size_mb:,.0f} | {mode} | {report.get('records', 0):,} | "
                    f"{report.get('problems', 0):,} | {seconds:,.1f} | {size_mb / seconds if seconds else 0:,.1f} | "
                    f"{'–' if peak != peak else f'{peak:,.0f}'} | {ok} |"
                    + (f" {report['failed']}" if "failed" in report else "")
                )
                print(row, flush=True)
                lines.append(row)
            shutil.rmtree(out / key, ignore_errors=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    command = "python benchmarks/chat_memory.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    machine = f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    table = "\n".join(lines)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        f"# Chat imports on large exports\n\nCommand: `{command.strip()}`  \nMachine: {machine}, "
        f"{time.strftime('%Y-%m-%d')}\n\n{table}\n\nProblems are the do-not-remember conversations (skipped, "
        "one in 50). Peak RSS is the child process's `ru_maxrss`, interpreter and imports included.\n",
        encoding="utf-8",
    )
    print("\n" + table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
