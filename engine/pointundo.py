"""Undo for hand edits of the points: before each edit (a point added or removed, all cleared,
a CSV imported) the session keeps what it had (the data config, so a preset comes back by its
name, and the exact points) on a bounded stack; undo takes the latest back."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from engine.schemas import DataConfig
from nets.datasets import Dataset
from nets.probe import Extent

DEPTH = 50  # point edits that can be undone, newest first


@dataclass(frozen=True)
class PointsBefore:
    """What a session's data was before one point edit."""

    config: DataConfig
    data: Dataset
    custom: Dataset | None
    extent: Extent


class PointHistory:
    """The states before the last ``depth`` point edits; the oldest drop off."""

    def __init__(self, depth: int = DEPTH) -> None:
        self._stack: deque[PointsBefore] = deque(maxlen=depth)

    def __len__(self) -> int:
        return len(self._stack)

    def push(self, before: PointsBefore) -> None:
        self._stack.append(before)

    def pop(self) -> PointsBefore | None:
        return self._stack.pop() if self._stack else None

    def clear(self) -> None:
        self._stack.clear()
