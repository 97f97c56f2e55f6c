"""Turn validation failures into the error events of docs/protocol.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from engine.events import error as error_event
from engine.schemas import allowed_text


class Refused(ValueError):
    """A well-formed request that the session's current state cannot take."""

    def __init__(self, message: str, field: str | None = None, allowed: str | None = None):
        super().__init__(message)
        self.field, self.allowed = field, allowed

    def event(self) -> dict[str, Any]:
        message = f"{self.field}: {self}" if self.field else str(self)
        if self.allowed:
            message += f" (allowed: {self.allowed})"
        return error_event(message, self.field, self.allowed)


def first_problem(exc: ValidationError, whole: str) -> str:
    """``"where: what"`` for the first problem in ``exc``; ``whole`` names an empty location."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or whole
    return f"{where}: {first['msg']}"


def validation_event(
    exc: ValidationError,
    skip: int = 0,
    allowed_of: Callable[[str], str | None] = allowed_text,
) -> dict[str, Any]:
    """The first problem in ``exc`` as an error event naming the field and what it accepts.

    ``skip`` drops leading parts of the error's location (a message's tag, say);
    ``allowed_of`` says what a field (a dotted path, or "type") accepts.
    """
    first = exc.errors(include_url=False)[0]
    full = tuple(str(part) for part in first["loc"])
    field = ".".join(full[skip:]) or None
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        field = "type"
    allowed = allowed_of(".".join(full)) if full else None
    if field == "type":
        allowed = allowed_of("type")
    more = len(exc.errors()) - 1
    message = f"{field}: {first['msg']}" if field else first["msg"]
    if allowed:
        message += f" (allowed: {allowed})"
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return error_event(message, field, allowed)
