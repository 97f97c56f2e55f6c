"""Saved experiments in PostgreSQL (``--store postgresql://…``), shared by every instance.

The same rows, ids, names and answers as the embedded SQLite store (:class:`server.store.Store`),
so the routes cannot tell them apart. One connection, one lock; every write commits before it
returns. The bodies are JSON text, as in SQLite.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any

from server.store import ID_ALPHABET, ID_LENGTH, Saved, check_name

#: What the ``--store`` setting takes for PostgreSQL.
SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str | None) -> bool:
    return url is not None and url.startswith(SCHEMES)


class PostgresStore:
    """Thread-safe: one connection, one lock. A table per mode, created when missing."""

    def __init__(self, url: str, table: str = "experiments") -> None:
        if not table.isidentifier():
            raise ValueError(f"a table's name is one word, not {table!r}")
        try:
            import psycopg
        except ImportError:
            raise RuntimeError(
                "a PostgreSQL store needs psycopg: pip install 'spacefold[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.url, self.table = url, table
        self._lock = threading.Lock()
        self._connection: Any = None
        try:
            with self._lock:
                self._execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY,"
                    " name TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,"
                    " updated DOUBLE PRECISION NOT NULL, body TEXT NOT NULL)"
                )
        except psycopg.Error as exc:
            raise RuntimeError(f"cannot use the PostgreSQL store: {exc}".strip()) from None

    def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        """Run ``sql`` (hold the lock), connecting on first use and again after a lost link."""
        for attempt in (0, 1):
            if self._connection is None or self._connection.closed:
                self._connection = self._psycopg.connect(self.url, autocommit=True)
            try:
                return self._connection.execute(sql, args)
            except self._psycopg.OperationalError:
                self._connection = None  # the server went away: one more try on a new link
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def save(self, name: str, body: dict[str, Any]) -> Saved:
        check_name(name)
        text = json.dumps(body, separators=(",", ":"))
        now = time.time()
        with self._lock:
            for _ in range(10):
                new_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
                cursor = self._execute(
                    f"INSERT INTO {self.table} VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO NOTHING",
                    (new_id, name, now, now, text),
                )
                if cursor.rowcount == 1:
                    return Saved(new_id, name, now, now)
        raise RuntimeError("could not find a free id")

    def body(self, experiment_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._execute(
                f"SELECT body FROM {self.table} WHERE id = %s", (experiment_id,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def list(self) -> list[Saved]:
        with self._lock:
            rows = self._execute(
                f"SELECT id, name, created, updated FROM {self.table} ORDER BY updated DESC"
            ).fetchall()
        return [Saved(*row) for row in rows]

    def rename(self, experiment_id: str, name: str) -> Saved | None:
        check_name(name)
        with self._lock:
            row = self._execute(
                f"UPDATE {self.table} SET name = %s, updated = %s WHERE id = %s"
                " RETURNING id, name, created, updated",
                (name, time.time(), experiment_id),
            ).fetchone()
        return None if row is None else Saved(*row)

    def delete(self, experiment_id: str) -> bool:
        with self._lock:
            cursor = self._execute(f"DELETE FROM {self.table} WHERE id = %s", (experiment_id,))
        return bool(cursor.rowcount > 0)

    def count(self) -> int:
        with self._lock:
            (n,) = self._execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()
        return int(n)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
