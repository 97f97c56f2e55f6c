"""Autosaves: every live session's experiment, kept in the store while it changes, so that a tab
whose instance died (or whose socket dropped) gets its experiment back on any instance.

One row a session, by its id: the mode, the resume key only its own tab was told, the instance
that wrote it, the step, when, whether it was the last one (the tab went away in order), and the
experiment file. A tab that resumes *takes* the row: the experiment reopens in a new session
(a new id, on whichever instance the tab reached) and the row says where it moved, so followers of
the old id find the new one. A row is taken once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from server.sql import SqlDatabase

Mode = Literal["fold", "conv"]
KEEP_SECONDS = 24 * 3600.0  # an autosave nobody took is forgotten after a day
MOVES = 32  # the most moves followed from an old id to where its session lives now


@dataclass(frozen=True)
class Autosave:
    """A taken autosave: what to reopen and what to tell the tab."""

    step: int
    saved: float  # seconds since the epoch
    final: bool  # written as the tab went away in order (nothing after it was lost)
    instance: str | None  # the instance that wrote it
    body: dict[str, Any]


class Refusal(LookupError):
    """Why an autosave cannot be taken: none, another key, or taken already."""


class Autosaves:
    def __init__(self, database: SqlDatabase, table: str = "autosaves") -> None:
        self.database, self.table = database, table
        database.create(
            f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, mode TEXT NOT NULL,"
            f" resume_key TEXT NOT NULL, instance TEXT, step BIGINT NOT NULL,"
            f" saved {database.TIME} NOT NULL, final INTEGER NOT NULL, moved_to TEXT,"
            f" body TEXT NOT NULL)"
        )

    def put(
        self,
        session_id: str,
        mode: Mode,
        key: str,
        instance: str | None,
        step: int,
        body: dict[str, Any],
        *,
        final: bool = False,
    ) -> None:
        """Keep ``body`` as session ``session_id``'s latest autosave (a taken row stays taken)."""
        text = json.dumps(body, separators=(",", ":"))
        with self.database.lock:
            self.database.execute(
                f"INSERT INTO {self.table} VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)"
                " ON CONFLICT (id) DO UPDATE SET step = excluded.step, saved = excluded.saved,"
                " final = excluded.final, body = excluded.body, instance = excluded.instance",
                (session_id, mode, key, instance, step, time.time(), int(final), text),
            )

    def take(self, session_id: str, mode: Mode, key: str, new_id: str) -> Autosave:
        """Session ``session_id``'s autosave, marked as moved to ``new_id``; :class:`Refusal`
        saying why when there is none, the key is not its own, or it was taken."""
        with self.database.lock:
            taken = self.database.execute(
                f"UPDATE {self.table} SET moved_to = ? WHERE id = ? AND mode = ?"
                " AND resume_key = ? AND moved_to IS NULL",
                (new_id, session_id, mode, key),
            ).rowcount
            row = self.database.execute(
                f"SELECT step, saved, final, instance, body, resume_key, moved_to"
                f" FROM {self.table} WHERE id = ? AND mode = ?",
                (session_id, mode),
            ).fetchone()
        if row is None:
            raise Refusal(f"no autosave of session {session_id} is kept")
        step, saved, final, instance, body, row_key, moved_to = row
        if row_key != key:
            raise Refusal(f"session {session_id} was not this tab's")
        if taken != 1:
            raise Refusal(f"session {session_id} was reopened already, as {moved_to}")
        return Autosave(int(step), float(saved), bool(final), instance, dict(json.loads(body)))

    def whereabouts(self, session_id: str, mode: Mode) -> tuple[str | None, bool]:
        """What became of session ``session_id``, asked at one moment (a tab may be reopening
        it meanwhile): where it lives now if its tab reopened it (followed through every move),
        and whether it stopped with its instance (an autosave neither final nor taken: its tab
        has not come back yet)."""
        moved, stopped = None, False
        with self.database.lock:
            for hop in range(MOVES):
                row = self.database.execute(
                    f"SELECT final, moved_to FROM {self.table} WHERE id = ? AND mode = ?",
                    (session_id, mode),
                ).fetchone()
                if row is None:
                    break
                final, moved_to = row
                if moved_to is None:
                    stopped = hop == 0 and not final
                    break
                moved = session_id = str(moved_to)
        return moved, stopped

    def moved(self, session_id: str, mode: Mode) -> str | None:
        """Where session ``session_id`` lives now if its tab reopened it, else None."""
        return self.whereabouts(session_id, mode)[0]

    def stopped(self, session_id: str, mode: Mode) -> bool:
        """Whether session ``session_id`` stopped with its instance (see whereabouts)."""
        return self.whereabouts(session_id, mode)[1]

    def prune(self, older_than: float = KEEP_SECONDS) -> int:
        """Forget autosaves older than ``older_than`` seconds; how many."""
        with self.database.lock:
            cursor = self.database.execute(
                f"DELETE FROM {self.table} WHERE saved < ?", (time.time() - older_than,)
            )
        return int(cursor.rowcount)
