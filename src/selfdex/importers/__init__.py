"""Importers: one module per export format, registered through the ``selfdex.importers`` entry point."""

from .base import Importer, ParseResult
from .registry import PluginLoadError, load_importers

__all__ = ["Importer", "ParseResult", "PluginLoadError", "load_importers"]
