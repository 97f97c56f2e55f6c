"""Saved experiments in PostgreSQL (``--store postgresql://…``), shared by every instance.

The same table, ids, names and answers as the embedded SQLite store: both are a
:class:`server.store.SqlStore`, this one on a PostgreSQL connection, so the routes cannot tell
them apart. The bodies are JSON text, as in SQLite.
"""

from __future__ import annotations

from typing import Any

from server.store import SqlStore


class PostgresStore(SqlStore):
    """A table per mode, created when missing; a lost link is opened again once."""

    def __init__(self, url: str, table: str = "experiments") -> None:
        super().__init__(table)
        try:
            import psycopg
        except ImportError:
            raise RuntimeError(
                "a PostgreSQL store needs psycopg: pip install 'spacefold[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        try:
            self._create()
        except psycopg.Error as exc:
            raise RuntimeError(f"cannot use the PostgreSQL store: {exc}".strip()) from None

    def _open(self) -> Any:
        return self._psycopg.connect(self.url, autocommit=True)

    def _run(self, connection: Any, sql: str, args: tuple[Any, ...]) -> Any:
        sql = sql.replace("?", "%s")  # psycopg's mark for an argument
        try:
            return connection.execute(sql, args)
        except self._psycopg.OperationalError:
            if not connection.closed:
                raise
            self._connection = connection = self._open()  # the server went away: once more
            return connection.execute(sql, args)
