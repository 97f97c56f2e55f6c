"""The FastAPI application: pages, the JSON API and the WebSocket."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import plotly
import torch
from fastapi import FastAPI, WebSocket, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from engine import events
from engine.conv.session import ConvSession
from engine.session import Session
from server.api import router as api_router
from server.autosaves import Autosaves, Mode
from server.broker import Broker
from server.connection import Connection, read_message
from server.convapi import router as conv_router
from server.convconnection import ConvConnection, read_conv_message
from server.device import choose_device
from server.drawer import Drawer, auto_processes
from server.follow import follow
from server.gym import Gym
from server.headers import SecurityHeaders
from server.holding import Holding
from server.invalid import invalid_request
from server.joincode import JoinGate
from server.lostleader import no_leader
from server.manager import SessionManager, SessionsFull
from server.saves import CONV, FOLD, saves_router
from server.settings import Settings
from server.sql import SqlDatabase, open_database
from server.store import SqlStore
from server.watched import Watched

log = logging.getLogger("spacefold")
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """Browsers send Origin: only pages served by this very host may open a socket."""
    if origin is None:
        return True  # not a browser (scripts, tests); browsers always send it
    return host is not None and urlsplit(origin).netloc == host


def make_store(database: SqlDatabase, table: str) -> SqlStore:
    """The saves of one mode, in a table of ``database`` (created when missing)."""
    store = SqlStore(database, table)
    database.create(store.create)
    return store


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    choice = choose_device(settings.device)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        torch.set_num_threads(1)  # tiny nets: threads cost more than they give
        gym = app.state.gym = Gym()  # one per lifespan: a thread starts once
        gym.start()
        try:
            with ThreadPoolExecutor(settings.workers, thread_name_prefix="spacefold") as pool:
                app.state.pool = app.state.holding.pool = pool
                processes = settings.frame_processes
                app.state.drawer = Drawer(
                    pool, auto_processes() if processes is None else processes
                )
                broker: Broker | None = app.state.broker
                try:
                    if broker is not None:
                        await broker.start()
                    yield
                finally:
                    if broker is not None:
                        await broker.stop()
                    await app.state.holding.drain()  # the last autosaves of open tabs
                    app.state.drawer.close()
        finally:
            gym.stop()
            app.state.store.close()
            app.state.conv_store.close()
            app.state.autosaves.database.close()

    app = FastAPI(title="spacefold", version="0.1.0", lifespan=lifespan)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.state.settings = settings
    app.state.device = choice
    app.state.manager = SessionManager(
        settings.max_sessions,
        choice.device,
        settings.max_sessions_per_client,
        settings.caps(),
        settings.instance,
    )
    database = open_database(settings.store, settings.data_dir)
    app.state.store = make_store(database, "experiments")
    app.state.conv_store = make_store(database, "conv_experiments")
    # Autosaves on a link of their own: they never wait behind a save, nor a save behind them.
    app.state.autosaves = Autosaves(open_database(settings.store, settings.data_dir, durable=False))
    app.state.autosaves.prune()
    app.state.holding = Holding(
        app.state.manager, app.state.autosaves, settings.instance, settings.autosave_seconds
    )
    held = app.state.manager.connections, app.state.manager.conv_connections
    moved = app.state.autosaves.moved
    app.state.broker = Broker(settings.broker, *held, moved) if settings.broker else None
    if settings.join_code:
        app.add_middleware(JoinGate, code=settings.join_code.upper())
    app.add_middleware(SecurityHeaders)
    app.include_router(api_router)
    app.include_router(saves_router(FOLD))
    app.include_router(saves_router(CONV))
    app.include_router(conv_router)

    index = settings.frontend_dir / "index.html"

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=settings.frontend_dir), name="static")

    async def follow_leader(
        ws: WebSocket, leader: Watched[Any] | None, leader_id: str, conv: bool
    ) -> None:
        """Follow ``leader`` (the socket of session ``leader_id``; None: not here, so through
        the broker if there is one), or say it is not there."""
        read = read_conv_message if conv else read_message
        mode: Mode = "conv" if conv else "fold"
        broker: Broker | None = app.state.broker
        if (
            leader is None
            and broker is not None
            and await broker.follow(
                ws, leader_id, mode, settings.max_message_bytes, read, settings.instance
            )
        ):
            return
        if leader is None:
            await no_leader(
                ws,
                app.state.autosaves,
                app.state.pool,
                leader_id,
                mode,
                app.state.holding.opening,
            )
            return
        await follow(ws, leader, settings.max_message_bytes, read, settings.instance)

    async def own_session(ws: WebSocket, conv: bool) -> ConvSession | Session | None:
        """Check the Origin, accept, and follow a leader (``?follow=ID``) or open a session of
        the socket's own (None when it follows, or the socket is refused or full)."""
        if not origin_allowed(ws.headers.get("origin"), ws.headers.get("host")):
            await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="origin not allowed")
            return None
        manager: SessionManager = app.state.manager
        await ws.accept()
        leader_id = ws.query_params.get("follow")
        if leader_id is not None:
            leaders: Mapping[str, Watched[Any]] = (
                manager.conv_connections if conv else manager.connections
            )
            await follow_leader(ws, leaders.get(leader_id), leader_id, conv)
            return None
        client = ws.client.host if ws.client else None
        try:
            if conv:
                return await manager.open_conv(client, app.state.pool)
            return manager.open(client=client)
        except SessionsFull as exc:
            await ws.send_text(events.text(events.error(str(exc))))
            await ws.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="too many sessions")
            return None

    @app.websocket("/ws/conv")
    async def conv_socket(ws: WebSocket) -> None:
        session = await own_session(ws, conv=True)
        if not isinstance(session, ConvSession):
            return
        manager: SessionManager = app.state.manager
        connection = ConvConnection(ws, session, app.state.pool, settings, manager.training_conv)
        await app.state.holding.serve(connection, manager.conv_connections, session, CONV)

    @app.websocket("/ws")
    async def socket(ws: WebSocket) -> None:
        session = await own_session(ws, conv=False)
        if not isinstance(session, Session):
            return
        manager: SessionManager = app.state.manager
        connection = Connection(
            ws, session, app.state.pool, settings, app.state.gym, manager.training, app.state.drawer
        )
        await app.state.holding.serve(connection, manager.connections, session, FOLD)

    return app
