"""Schema-constrained output: ask, parse, validate, retry once, and report what was still wrong.

Backends constrain decoding where they can (grammar from the JSON schema); we validate anyway, because
servers differ (some only honour "any JSON") and grammars do not enforce everything (runtimes.md:
duplicates slip through). The validator covers exactly the JSON-schema subset our schemas use, so
the deterministic install needs no jsonschema dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .backends import BackendError, ChatBackend, Message

__all__ = [
    "ModelRefused",
    "StructuredResult",
    "complete_json",
    "parse_json",
    "repair_truncated",
    "schema_problems",
]

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


class ModelRefused(BackendError):
    """The model declined to answer (an OpenAI ``refusal``, or no content at all)."""


_CLOSERS = ('"}', "}", '"]}', "]}", '"}]}', "}]}")


def repair_truncated(text: str) -> Any | None:
    """A reply cut off by the token limit inside its last string, closed again; None if not that."""
    text = text.rstrip().rstrip("\\")
    if not text.startswith("{"):
        return None
    for closer in _CLOSERS:
        try:
            return json.loads(text + closer)
        except ValueError:
            continue
    return None


def parse_json(text: str) -> Any:
    """The JSON value in a reply: bare, inside a ``` fence, or the outermost {...} in prose."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    fenced = _FENCE.search(text)
    if fenced:
        try:
            return json.loads(fenced.group(1))
        except ValueError:
            pass
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        return json.loads(text[start : end + 1])
    raise ValueError("no JSON object in the reply")


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def schema_problems(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (type, enum, properties, required, items, min/maxItems)."""
    problems: list[str] = []
    expected = schema.get("type")
    if expected and (
        not isinstance(value, _TYPES[expected]) or (expected != "boolean" and isinstance(value, bool))
    ):
        return [f"{path}: expected {expected}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {str(value)[:60]!r} is not one of the allowed values")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(f"{path}: missing {key!r}")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems.extend(schema_problems(value[key], sub, f"{path}.{key}"))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                problems.extend(schema_problems(item, schema["items"], f"{path}[{i}]"))
    return problems


@dataclass
class StructuredResult:
    value: dict[str, Any] | None
    attempts: int
    problems: list[str] = field(default_factory=list)  # what was still wrong after the last attempt
    truncated: bool = False  # the value was closed again after the token limit cut it


def complete_json(
    backend: ChatBackend,
    messages: list[Message],
    schema: dict[str, Any],
    *,
    check: Callable[[dict[str, Any]], list[str]] | None = None,
    max_tokens: int = 600,
    attempts: int = 2,
) -> StructuredResult:
    """Ask for JSON matching ``schema``; ``check`` adds semantic problems (invented ids, candidates).

    A reply with problems is regenerated once with the problems quoted back; what is still wrong
    after that is returned for the caller to repair (drop) and mark.
    """
    convo = list(messages)
    result = StructuredResult(value=None, attempts=0)
    for attempt in range(1, attempts + 1):
        result.attempts = attempt
        reply = backend.chat(convo, schema=schema, max_tokens=max_tokens)
        if reply.refusal:
            raise ModelRefused(f"the model refused: {reply.refusal[:200]}")
        if not reply.content:
            raise ModelRefused("the model returned no content")
        try:
            value = parse_json(reply.content)
            result.truncated = False
        except ValueError as exc:
            value = repair_truncated(reply.content)
            result.truncated = value is not None
            if value is None:
                result.problems = [f"not valid JSON ({exc})"]
        if value is not None:
            if not isinstance(value, dict):
                result.problems = ["$: expected object"]
            else:
                result.value = value
                result.problems = schema_problems(value, schema)
                if not result.problems and check is not None:
                    result.problems = check(value)
        if not result.problems:
            return result
        convo = [
            *messages,
            {"role": "assistant", "content": reply.content[:4000]},
            {
                "role": "user",
                "content": "Your JSON was rejected: "
                + "; ".join(result.problems[:8])
                + ". Reply again with only JSON that follows the schema, citing only refs from the DATA.",
            },
        ]
    return result
