"""One link to the database the saves live in: the embedded SQLite file, or PostgreSQL.

The statements of every table (server/store.py, server/autosaves.py) are written once, in the
SQL both databases take, with ``?`` for each argument; a database only opens its connection and
runs a statement on it. Thread-safe: one connection, one lock; every write is committed before it
returns.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any


class SqlDatabase:
    """A connection opened on first use (and again after ``close``); hold ``lock`` around
    :meth:`execute`."""

    #: A column of seconds since the epoch.
    TIME = "DOUBLE PRECISION"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._connection: Any = None

    def _open(self) -> Any:
        raise NotImplementedError

    def _run(self, connection: Any, sql: str, args: tuple[Any, ...]) -> Any:
        return connection.execute(sql, args)

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        """Run ``sql`` (the caller holds ``lock``): a cursor, with ``rowcount`` and fetches."""
        if self._connection is None:
            self._connection = self._open()
        return self._run(self._connection, sql, args)

    def create(self, statement: str) -> None:
        """Run a table's CREATE ... IF NOT EXISTS ``statement``."""
        with self.lock:
            self.execute(statement)

    def close(self) -> None:
        with self.lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class SqliteDatabase(SqlDatabase):
    """The embedded default: one file (WAL), created with its folder when missing."""

    TIME = "REAL"

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        """``durable``: every commit is on the disk before it returns (``synchronous=FULL``),
        as a save must be; else a crash of the machine (not of the server: WAL keeps what was
        committed) may lose the last commits, as autosaves may: each is a few seconds' work,
        written often, and the next one follows."""
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.durable = path, durable

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={'FULL' if self.durable else 'NORMAL'}")
        return connection


class PostgresDatabase(SqlDatabase):
    """PostgreSQL (``--store postgresql://…``), shared by every instance; a lost link is opened
    again once."""

    def __init__(self, url: str) -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError:
            raise RuntimeError(
                "a PostgreSQL store needs psycopg: pip install 'spacefold[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.url = url

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

    def create(self, statement: str) -> None:
        """As for any database; a server that cannot be reached is a RuntimeError saying so
        (it stops the start)."""
        try:
            super().create(statement)
        except self._psycopg.Error as exc:
            raise RuntimeError(f"cannot use the PostgreSQL store: {exc}".strip()) from None


def open_database(store: str | None, data_dir: Path, *, durable: bool = True) -> SqlDatabase:
    """PostgreSQL when ``store`` names it, else SQLite in ``data_dir`` (see ``durable``)."""
    if store is not None:
        return PostgresDatabase(store)
    return SqliteDatabase(data_dir / "spacefold.db", durable=durable)
