"""Saved experiments in PostgreSQL (``--store postgresql://…``), shared by every instance.

The same table, ids, names and answers as the embedded SQLite store: both are a
:class:`server.store.SqlStore`, this one on a :class:`server.sql.PostgresDatabase`, so the routes
cannot tell them apart. The bodies are JSON text, as in SQLite.
"""

from __future__ import annotations

from server.sql import PostgresDatabase
from server.store import SqlStore


class PostgresStore(SqlStore):
    """A table per mode, created when missing; a server that cannot be reached is a
    RuntimeError saying so."""

    def __init__(self, url: str, table: str = "experiments") -> None:
        super().__init__(PostgresDatabase(url), table)
        self.url = url
        self._create()
