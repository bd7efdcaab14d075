"""SQLite store: schema + migrations, idempotent per-job writes, queries."""

from .db import Store, StoreError, default_store_path
from .queries import Filters

__all__ = ["Filters", "Store", "StoreError", "default_store_path"]
