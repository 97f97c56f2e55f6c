"""Saved experiments in an embedded SQLite database (WAL), one row each, by short id."""

from __future__ import annotations

import json
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.sql import SqlDatabase, SqliteDatabase

ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: ids are read aloud in class
ID_LENGTH = 8
MAX_NAME = 100
#: What a name may not hold: control characters and line breaks (a list shows a name on one
#: line), and surrogates (half of a pair cannot be written as UTF-8, so neither stored nor sent).
NOT_IN_NAMES = {
    "Cc": "a control character (a tab, a line break...)",
    "Zl": "a line break",
    "Zp": "a line break",
    "Cs": "half of a surrogate pair, which UTF-8 cannot write",
}


def check_name(name: str) -> str:
    """``name``, if it can name a saved experiment; else ValueError saying why. The one check of
    every name, made by the store and by the HTTP routes that take one."""
    if not 1 <= len(name) <= MAX_NAME:
        raise ValueError(f"a name is 1 to {MAX_NAME} characters long, not {len(name)}")
    for index, char in enumerate(name):
        what = NOT_IN_NAMES.get(unicodedata.category(char))
        if what is not None:
            raise ValueError(f"character {index + 1} of the name (U+{ord(char):04X}) is {what}")
    return name


@dataclass(frozen=True)
class Saved:
    id: str
    name: str
    created: float
    updated: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "created": self.created, "updated": self.updated}


class SqlStore:
    """The saves as rows of one table of a :class:`server.sql.SqlDatabase`, whatever the
    database: the statements are written once, for both."""

    def __init__(self, database: SqlDatabase, table: str) -> None:
        if not table.isidentifier():
            raise ValueError(f"a table's name is one word, not {table!r}")
        self.table = table  # the convolution mode keeps its saves in a table of its own
        self.database = database
        self._lock = database.lock
        self._execute = database.execute
        self.create = (
            f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY,"
            f" name TEXT NOT NULL, created {database.TIME} NOT NULL,"
            f" updated {database.TIME} NOT NULL, body TEXT NOT NULL)"
        )

    def _create(self) -> None:
        self.database.create(self.create)

    def save(self, name: str, body: dict[str, Any]) -> Saved:
        """Keep ``body`` under a new id; ValueError if ``name`` cannot name it (check_name)."""
        check_name(name)
        text = json.dumps(body, separators=(",", ":"))
        now = time.time()
        with self._lock:
            for _ in range(10):
                new_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
                cursor = self._execute(
                    f"INSERT INTO {self.table} VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (new_id, name, now, now, text),
                )
                if cursor.rowcount == 1:
                    return Saved(new_id, name, now, now)
        raise RuntimeError("could not find a free id")

    def body(self, experiment_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._execute(
                f"SELECT body FROM {self.table} WHERE id = ?", (experiment_id,)
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
            self._execute(
                f"UPDATE {self.table} SET name = ?, updated = ? WHERE id = ?",
                (name, time.time(), experiment_id),
            )
            row = self._execute(
                f"SELECT id, name, created, updated FROM {self.table} WHERE id = ?",
                (experiment_id,),
            ).fetchone()
        return None if row is None else Saved(*row)

    def delete(self, experiment_id: str) -> bool:
        with self._lock:
            cursor = self._execute(f"DELETE FROM {self.table} WHERE id = ?", (experiment_id,))
        return bool(cursor.rowcount > 0)

    def count(self) -> int:
        with self._lock:
            (n,) = self._execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()
        return int(n)

    def close(self) -> None:
        self.database.close()


class Store(SqlStore):
    """The saves in an embedded SQLite database (WAL), the default."""

    def __init__(self, path: Path, table: str = "experiments") -> None:
        super().__init__(SqliteDatabase(path), table)
        self.path = path
        self._create()
