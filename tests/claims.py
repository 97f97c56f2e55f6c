"""The checks of lesson captions, one per lesson step, registered by a decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Readings = TypeVar("Readings")


class Claims(Generic[Readings]):
    """Every lesson step's check, by (lesson, step): ``@claims("02-the-fold", 1)``."""

    def __init__(self) -> None:
        self.checks: dict[tuple[str, int], Callable[[Readings], None]] = {}

    def __call__(
        self, lesson: str, step: int
    ) -> Callable[[Callable[[Readings], None]], Callable[[Readings], None]]:
        """Register the check of lesson ``lesson``'s step ``step`` (1-based, as the page
        counts)."""

        def register(check: Callable[[Readings], None]) -> Callable[[Readings], None]:
            self.checks[(lesson, step)] = check
            return check

        return register
