"""Saved experiments over HTTP: save a session, list, rename, delete, export, import."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from engine.conv.file import ConvExperimentFile, restore_conv, to_conv_file
from engine.conv.session import ConvSession
from engine.errors import Refused, first_problem
from engine.experiment import ExperimentFile, to_file
from engine.experiment import restore as restore_file
from engine.schemas import StrictModel
from engine.session import Session
from server.autosaves import Mode
from server.deps import AnySession, SessionId, change_session
from server.store import ID_ALPHABET, ID_LENGTH, MAX_NAME, SqlStore, check_name

SaveId = Annotated[str, Path(pattern=f"^[{ID_ALPHABET}]{{{ID_LENGTH}}}$")]
MAX_FILE_BYTES = 4 << 20


class Name(BaseModel):
    """A save's name, as create and rename take it: checked as the store checks every name."""

    name: Annotated[
        str,
        AfterValidator(check_name),
        Field(  # the limits, described
            json_schema_extra={"minLength": 1, "maxLength": MAX_NAME}
        ),
    ]


AnyFile = TypeVar("AnyFile", ExperimentFile, ConvExperimentFile)


@dataclass(frozen=True)
class Saves(Generic[AnySession, AnyFile]):
    """What differs between the two modes' saves: where their routes, sessions and store are,
    how a session becomes a file and a file a session again, and what a short link opens."""

    prefix: str  # of the routes
    sessions: str  # the manager's attribute holding the mode's sessions
    store: str  # the app's state attribute holding the mode's store
    file: type[AnyFile]
    write: Callable[[AnySession], AnyFile]
    restore: Callable[[AnySession, AnyFile], None]
    page: str  # the page's query that opens a save: "/?{page}open=ID"
    filename: str
    mode: Mode  # its autosaves' and the broker's name for it


FOLD: Saves[Session, ExperimentFile] = Saves(
    "/api", "sessions", "store", ExperimentFile, to_file, restore_file, "", "spacefold", "fold"
)
CONV: Saves[ConvSession, ConvExperimentFile] = Saves(
    "/api/conv",
    "conv_sessions",
    "conv_store",
    ConvExperimentFile,
    to_conv_file,
    restore_conv,
    "mode=conv&",
    "spacefold-conv",
    "conv",
)


def saves_router(kind: Saves[Any, Any]) -> APIRouter:
    """The routes that save, list, rename, delete, export and import one mode's experiments."""
    router = APIRouter(prefix=kind.prefix)

    def store_of(request: Request) -> SqlStore:
        store: SqlStore = getattr(request.app.state, kind.store)
        return store

    def session_of(request: Request, session_id: str) -> Any:
        session = getattr(request.app.state.manager, kind.sessions).get(session_id)
        if session is None:
            raise HTTPException(404, f"no open session {session_id}")
        return session

    def link(saved_id: str) -> str:
        return f"/?{kind.page}open={saved_id}"

    async def taken(session: Any) -> dict[str, Any]:
        """The session's experiment file, as JSON-ready data (taken in a worker, under its
        lock); a 409 that says why when the session cannot be written as one (a diverged
        network)."""

        def take() -> dict[str, Any]:
            with session.lock:
                written: StrictModel = kind.write(session)
                return written.model_dump(mode="json")

        try:
            return await asyncio.to_thread(take)
        except Refused as exc:
            raise HTTPException(409, str(exc)) from None
        except ValidationError as exc:
            problem = first_problem(exc, "the experiment")
            raise HTTPException(
                409, f"this session cannot be written as a file: {problem}"
            ) from None

    def attachment(body: dict[str, Any], name: str) -> Response:
        return Response(
            json.dumps(body),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
        )

    def parse(raw: bytes) -> Any:
        """An uploaded experiment file, or a 4xx that says what is wrong with it."""
        if len(raw) > MAX_FILE_BYTES:
            raise HTTPException(413, f"the file is over {MAX_FILE_BYTES >> 20} MiB")
        try:
            return kind.file.model_validate_json(raw)
        except ValidationError as exc:
            raise HTTPException(422, first_problem(exc, "the file")) from None

    @router.post("/sessions/{session_id}/saves", status_code=201)
    async def save_session(request: Request, session_id: SessionId, body: Name) -> dict[str, Any]:
        """Save the session's experiment; answers its short link."""
        session = session_of(request, session_id)
        store = store_of(request)
        if store.count() >= request.app.state.settings.max_saves:
            raise HTTPException(409, "the store is full: delete saved experiments to make room")
        saved = store.save(body.name, await taken(session))
        return {**saved.as_dict(), "link": link(saved.id)}

    @router.get("/sessions/{session_id}/experiment")
    async def export_session(request: Request, session_id: SessionId) -> Response:
        """The session's whole experiment as a JSON file (as a save keeps it), saving nothing."""
        body = await taken(session_of(request, session_id))
        return attachment(body, f"{kind.filename}-experiment")

    @router.get("/saves")
    async def list_saves(request: Request) -> list[dict[str, Any]]:
        return [{**s.as_dict(), "link": link(s.id)} for s in store_of(request).list()]

    @router.get("/saves/{saved_id}")
    async def export_save(request: Request, saved_id: SaveId) -> Response:
        """The saved experiment as a JSON file."""
        body = store_of(request).body(saved_id)
        if body is None:
            raise HTTPException(404, f"no saved experiment {saved_id}")
        return attachment(body, f"{kind.filename}-{saved_id}")

    @router.patch("/saves/{saved_id}")
    async def rename_save(request: Request, saved_id: SaveId, body: Name) -> dict[str, Any]:
        saved = store_of(request).rename(saved_id, body.name)
        if saved is None:
            raise HTTPException(404, f"no saved experiment {saved_id}")
        return {**saved.as_dict(), "link": link(saved.id)}

    @router.delete("/saves/{saved_id}", status_code=204)
    async def delete_save(request: Request, saved_id: SaveId) -> Response:
        if not store_of(request).delete(saved_id):
            raise HTTPException(404, f"no saved experiment {saved_id}")
        return Response(status_code=204)

    @router.post("/sessions/{session_id}/experiment")
    async def import_experiment(request: Request, session_id: SessionId) -> dict[str, Any]:
        """Open an experiment file (as exported) in this session. A bad file changes nothing."""
        session = session_of(request, session_id)
        saved = parse(await request.body())
        await change_session(session, lambda s: kind.restore(s, saved))
        return opened(saved)

    @router.post("/sessions/{session_id}/open/{saved_id}")
    async def open_save(
        request: Request, session_id: SessionId, saved_id: SaveId
    ) -> dict[str, Any]:
        """Open a saved experiment (a short link) in this session."""
        session = session_of(request, session_id)
        body = store_of(request).body(saved_id)
        if body is None:
            raise HTTPException(404, f"no saved experiment {saved_id}")
        saved = kind.file.model_validate(body)
        await change_session(session, lambda s: kind.restore(s, saved))
        return {"step": saved.step}

    return router


def opened(saved: ExperimentFile | ConvExperimentFile) -> dict[str, Any]:
    """What an import answers: the step, and for the fold the points it holds."""
    if isinstance(saved, ExperimentFile):
        return {"step": saved.step, "points": len(saved.points.y_train) + len(saved.points.y_test)}
    return {"step": saved.step}
