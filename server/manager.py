"""Holds the live sessions and enforces the cap on how many there are."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from server.schemas import ExperimentConfig
from server.session import Session

if TYPE_CHECKING:
    from server.connection import Connection


class SessionsFull(RuntimeError):
    """No room for another session."""


class SessionManager:
    def __init__(self, max_sessions: int, device: torch.device) -> None:
        self.max_sessions = max_sessions
        self.device = device
        self.sessions: dict[str, Session] = {}
        self.connections: dict[str, Connection] = {}  # the socket driving each session

    def open(self, config: ExperimentConfig | None = None) -> Session:
        if len(self.sessions) >= self.max_sessions:
            raise SessionsFull(
                f"the server holds its maximum of {self.max_sessions} sessions; try again later"
            )
        session = Session(config or ExperimentConfig(), self.device)
        self.sessions[session.id] = session
        return session

    def close(self, session: Session) -> None:
        self.sessions.pop(session.id, None)

    def training(self) -> int:
        """How many sessions are training now."""
        return sum(1 for s in self.sessions.values() if s.running)

    def __len__(self) -> int:
        return len(self.sessions)


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when it is there; ``cuda`` without CUDA is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but torch sees no CUDA device")
    return torch.device(name)
