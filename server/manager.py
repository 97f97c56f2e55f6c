"""Holds the live sessions and enforces the caps on how many there are: in total, and from any
one address (the machine the server runs on is not counted per address)."""

from __future__ import annotations

import asyncio
import functools
import uuid
from concurrent.futures import Executor
from typing import TYPE_CHECKING

import torch

from engine.caps import Caps
from engine.conv.session import ConvSession
from engine.schemas import ExperimentConfig
from engine.session import Session
from server.joincode import is_loopback_host

if TYPE_CHECKING:
    from server.connection import Connection
    from server.convconnection import ConvConnection


#: A session id: 12 hex digits, after the instance's name and a dash behind a proxy (see new_id).
SESSION_ID_PATTERN = r"^([a-z0-9]{1,12}-)?[0-9a-f]{12}$"


class SessionsFull(RuntimeError):
    """No room for another session."""


class SessionManager:
    def __init__(
        self,
        max_sessions: int,
        device: torch.device,
        max_per_client: int | None = None,
        caps: Caps | None = None,
        instance: str | None = None,
    ) -> None:
        self.caps = caps or Caps()
        self.instance = instance  # begins every session id made here (see new_id)
        self.max_sessions = max_sessions
        self.max_per_client = max_per_client or max_sessions
        self.device = device
        self.sessions: dict[str, Session] = {}
        self.conv_sessions: dict[str, ConvSession] = {}  # the convolution mode's
        self.pending = 0  # sessions being built
        self.connections: dict[str, Connection] = {}  # the socket driving each session
        self.conv_connections: dict[str, ConvConnection] = {}
        self.owners: dict[str, str] = {}  # session id -> the remote address that opened it
        self.per_client: dict[str, int] = {}  # remote address -> sessions it holds

    def open(self, config: ExperimentConfig | None = None, client: str | None = None) -> Session:
        """A new session for a tab at address ``client`` (None or loopback: not counted)."""
        owner = self._admit(client)
        config = self.caps.clamp(config or ExperimentConfig())
        session = Session(config, self.device, self.caps, self.new_id())
        self.sessions[session.id] = session
        self._own(session.id, owner)
        return session

    async def open_conv(self, client: str | None, pool: Executor) -> ConvSession:
        """A new convolution session, counted against the same caps. Its samples and net are
        built in ``pool`` (a quarter of a second), its place held meanwhile."""
        owner = self._admit(client)
        self.pending += 1
        try:
            build = functools.partial(ConvSession, None, self.new_id())
            session = await asyncio.get_running_loop().run_in_executor(pool, build)
        finally:
            self.pending -= 1
        self.conv_sessions[session.id] = session
        self._own(session.id, owner)
        return session

    def new_id(self) -> str:
        """A fresh session id; behind a proxy it begins with this instance's name and a dash,
        which is how the proxy finds the instance that holds the session."""
        token = uuid.uuid4().hex[:12]
        return token if self.instance is None else f"{self.instance}-{token}"

    def _admit(self, client: str | None) -> str | None:
        """The address to count a new session against; raises SessionsFull past a cap."""
        if len(self) >= self.max_sessions:
            raise SessionsFull(
                f"the server holds its maximum of {self.max_sessions} sessions; try again later"
            )
        owner = None if client is None or is_loopback_host(client) else client
        if owner is not None and self.per_client.get(owner, 0) >= self.max_per_client:
            raise SessionsFull(
                f"{owner} already holds {self.max_per_client} sessions, the most one computer "
                "may open; close another tab of this page and try again"
            )
        return owner

    def _own(self, session_id: str, owner: str | None) -> None:
        if owner is not None:
            self.owners[session_id] = owner
            self.per_client[owner] = self.per_client.get(owner, 0) + 1

    def close(self, session: Session | ConvSession) -> None:
        self.sessions.pop(session.id, None)
        self.conv_sessions.pop(session.id, None)
        client = self.owners.pop(session.id, None)
        if client is not None:
            left = self.per_client.pop(client) - 1
            if left:
                self.per_client[client] = left

    def training(self) -> int:
        """How many sessions are training now."""
        fold = sum(1 for s in self.sessions.values() if s.running)
        return fold + sum(1 for c in self.conv_sessions.values() if c.running)

    def training_conv(self) -> int:
        """How many convolution sessions are training now."""
        return sum(1 for c in self.conv_sessions.values() if c.running)

    def __len__(self) -> int:
        return len(self.sessions) + len(self.conv_sessions) + self.pending
