"""Loads importers from the ``selfdex.importers`` entry-point group.

Built-ins are listed in selfdex's own ``pyproject.toml`` exactly as a third-party plugin would list
its importers in its own; nothing here knows any importer by name. A plugin that fails to load is
reported (``selfdex importers``, ``selfdex doctor``) and the others still work.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from .base import Importer

GROUP = "selfdex.importers"


@dataclass(frozen=True, slots=True)
class PluginLoadError:
    entry_point: str
    error: str


@cache
def _load() -> tuple[tuple[Importer, ...], tuple[PluginLoadError, ...]]:
    importers: list[Importer] = []
    errors: list[PluginLoadError] = []
    seen: set[str] = set()
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            obj = _instantiate(ep)
        except Exception as exc:  # a broken plugin must not take the others down
            errors.append(PluginLoadError(f"{ep.name} = {ep.value}", f"{type(exc).__name__}: {exc}"))
            continue
        if obj.name in seen:
            errors.append(PluginLoadError(f"{ep.name} = {ep.value}", f"duplicate importer name {obj.name!r}"))
            continue
        seen.add(obj.name)
        importers.append(obj)
    return tuple(importers), tuple(errors)


def _instantiate(ep: EntryPoint) -> Importer:
    target = ep.load()
    obj = target() if isinstance(target, type) else target
    for attr in ("name", "platform", "version", "recognize", "parse"):
        if not hasattr(obj, attr):
            raise TypeError(f"importer has no {attr!r}")
    return obj


def load_importers() -> list[Importer]:
    return list(_load()[0])


def load_errors() -> list[PluginLoadError]:
    return list(_load()[1])


def get_importer(name: str) -> Importer:
    for imp in load_importers():
        if imp.name == name:
            return imp
    raise KeyError(name)
