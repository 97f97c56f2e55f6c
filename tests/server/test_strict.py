"""Wrong types are refused, not coerced, and a missing field is an error, not a default: over the
socket (control messages and the config they change) and over HTTP (an experiment file)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from engine.schemas import Ack
from nets.train import MAX_STEP
from server.connection import read_message
from server.convconnection import read_conv_message
from server.receiving import Unreadable
from tests.server.wsutil import next_event, send

WRONG_TYPES: list[tuple[dict[str, Any], str]] = [
    ({"type": "configure", "changes": {"model": {"width": "2"}}}, "model.width"),
    ({"type": "configure", "changes": {"model": {"width": True}}}, "model.width"),
    ({"type": "configure", "changes": {"model": {"width": 2.0}}}, "model.width"),
    ({"type": "configure", "changes": {"train": {"lr": True}}}, "train.lr"),
    ({"type": "configure", "changes": {"train": {"lr": "0.1"}}}, "train.lr"),
    ({"type": "configure", "changes": {"view": {"regions": 1}}}, "view.regions"),
    ({"type": "configure", "changes": {"view": {"regions": "true"}}}, "view.regions"),
    ({"type": "configure", "changes": {"view": {"pair": ["0", 1]}}}, "view.pair.0"),
    ({"type": "configure", "changes": {"model": {"widths": [2, "3"]}}}, "model.widths.1"),
    ({"type": "step", "count": "2"}, "count"),
    ({"type": "step", "count": True}, "count"),
    ({"type": "set_weight", "layer": 1, "row": 0, "col": 0, "value": "1"}, "value"),
    ({"type": "set_weight", "layer": True, "row": 0, "col": 0, "value": 1}, "layer"),
    ({"type": "set_weight", "layer": 1, "row": 0, "col": "0", "value": 1}, "col"),
    ({"type": "set_layer", "layer": 1, "bias": [True, 0]}, "bias.0"),
    ({"type": "add_point", "x": "0.5", "y": 0, "label": 0}, "x"),
    ({"type": "add_point", "x": 0, "y": 0, "label": True}, "label"),
    ({"type": "add_point", "x": 0, "y": 0, "label": 0, "test": 1}, "test"),
    ({"type": "lesson", "name": None, "step": "1"}, "step"),
]

MISSING: list[tuple[dict[str, Any], str]] = [
    ({"type": "set_weight", "layer": 1, "row": 0, "value": 1}, "col"),
    ({"type": "add_point", "x": 0.5, "y": 0.5}, "label"),
    ({"type": "remove_point", "x": 0.5}, "y"),
]


def answer(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next error or state event, skipping frames and other events."""
    for _ in range(500):
        text = ws.receive().get("text")
        if text is not None and (event := json.loads(text))["type"] in ("error", "state"):
            assert isinstance(event, dict)
            return event
    raise AssertionError("neither an error nor a state")


def opened(ws: WebSocketTestSession) -> dict[str, Any]:
    return next_event(ws, "hello")


@pytest.mark.parametrize(("message", "field"), WRONG_TYPES + MISSING)
def test_a_wrong_type_or_a_missing_field_is_refused_naming_the_field(
    client: TestClient, message: dict[str, Any], field: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = opened(ws)
        send(ws, **message)
        error = answer(ws)
        assert error["type"] == "error" and error["field"] == field
        assert error["message"].startswith(f"{field}: ")
        send(ws, type="ping")
        next_event(ws, "pong")
        send(ws, type="step")
        state = answer(ws)
        assert state["type"] == "state" and state["config"] == hello["config"]
        assert state["step"] == hello["step"] + 1  # nothing else was done


def test_a_whole_number_is_a_number(client: TestClient) -> None:
    """JSON has one kind of number: 1 is taken for a float field, as 1.0 is."""
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        send(ws, type="configure", changes={"train": {"lr": 1}, "data": {"noise": 0}})
        state = answer(ws)
        assert state["type"] == "state"
        assert state["config"]["train"]["lr"] == 1.0 and state["config"]["data"]["noise"] == 0.0
        send(ws, type="add_point", x=0, y=1, label=1)
        assert answer(ws)["type"] == "state"
        send(ws, type="set_weight", layer=1, row=0, col=None, value=2)
        assert answer(ws)["type"] == "state"


def exported(client: TestClient, session: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/sessions/{session}/experiment").json()
    return body


def changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``body`` (a copy) with the value at dotted ``path`` replaced."""
    out: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    here = out
    for part in parents:
        here = here[int(part)] if isinstance(here, list) else here[part]
    here[int(last) if isinstance(here, list) else last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("config.model.width", "2"),
        ("config.view.regions", 1),
        ("config.train.lr", True),
        ("points.classes", 2.0),
        ("points.x_train.0.1", "0.5"),
        ("step", "3"),
        ("step", True),
        ("step", 1e30),
        ("step", 10**30),
        ("step", MAX_STEP + 1),
        ("step", -1),
    ],
)
def test_an_experiment_file_is_read_strictly(client: TestClient, path: str, value: Any) -> None:
    with client.websocket_connect("/ws") as ws:
        session = opened(ws)["session"]
        body = changed(exported(client, session), path, value)
        reply = client.post(f"/api/sessions/{session}/experiment", content=json.dumps(body))
        assert reply.status_code == 422
        assert reply.json()["detail"].startswith(f"{path}: ")
        assert exported(client, session)["step"] == 0  # the session is as it was


def test_a_step_a_page_can_count_to_is_taken(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        session = opened(ws)["session"]
        body = changed(exported(client, session), "step", MAX_STEP)
        reply = client.post(f"/api/sessions/{session}/experiment", content=json.dumps(body))
        assert reply.status_code == 200 and reply.json()["step"] == MAX_STEP
        assert MAX_STEP == 2**53 and float(MAX_STEP) == MAX_STEP  # exact as a JavaScript number


def test_a_dataset_preview_reads_its_numbers_from_the_query(client: TestClient) -> None:
    reply = client.get("/api/dataset", params={"dataset": "moons", "points": "20", "noise": "0.1"})
    assert reply.status_code == 200 and len(reply.json()["x"]) == 20
    assert client.get("/api/dataset", params={"points": "many"}).status_code == 422


def opened_at(client: TestClient, ws: WebSocketTestSession, step: int) -> str:
    """A session whose experiment was reopened at ``step``: its id."""
    session: str = opened(ws)["session"]
    body = changed(exported(client, session), "step", step)
    assert client.post(f"/api/sessions/{session}/experiment", content=json.dumps(body)).is_success
    assert next_event(ws, "state")["step"] == step
    return session


def test_the_step_button_never_counts_past_the_bound(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        session = opened_at(client, ws, MAX_STEP - 1)
        send(ws, type="step", count=2)
        error = answer(ws)
        assert error["type"] == "error" and error["field"] == "count"
        assert "2**53" in error["message"] and "up to 1 more steps" in error["message"]
        send(ws, type="step", count=1)
        assert answer(ws)["step"] == MAX_STEP
        send(ws, type="step")
        assert answer(ws)["field"] == "count"
        reply = client.get(f"/api/sessions/{session}/experiment")
        assert reply.status_code == 200 and reply.json()["step"] == MAX_STEP
        saved = client.post(f"/api/sessions/{session}/saves", json={"name": "the last step"})
        assert saved.status_code == 201


def test_playing_stops_at_the_bound_with_a_message(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        session = opened_at(client, ws, MAX_STEP - 3)
        send(ws, type="play")
        assert answer(ws)["running"] is True
        error = answer(ws)
        assert error["type"] == "error" and "2**53" in error["message"]
        stopped = answer(ws)
        assert stopped["running"] is False and stopped["step"] == MAX_STEP
        assert exported(client, session)["step"] == MAX_STEP


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("points.y_train.0", 0.5),
        ("points.y_test.0", 1.000001),
        ("points.y_train.0", -1),
        ("points.y_train.0", 2),
    ],
)
def test_a_label_that_is_not_a_class_is_refused_not_rounded(
    client: TestClient, path: str, value: float
) -> None:
    with client.websocket_connect("/ws") as ws:
        session = opened(ws)["session"]
        before = exported(client, session)
        body = changed(before, path, value)
        assert body["points"]["classes"] == 2
        reply = client.post(f"/api/sessions/{session}/experiment", content=json.dumps(body))
        assert reply.status_code == 422
        assert reply.json()["detail"].startswith(f"{path}: label {float(value)} is not a class")
        assert exported(client, session) == before  # the session is as it was


@pytest.mark.parametrize("field", ["format", "version"])
def test_an_experiment_file_says_what_it_is(client: TestClient, field: str) -> None:
    with client.websocket_connect("/ws") as ws:
        session = opened(ws)["session"]
        body = exported(client, session)
        del body[field]
        reply = client.post(f"/api/sessions/{session}/experiment", content=json.dumps(body))
        assert reply.status_code == 422
        assert reply.json()["detail"] == f"{field}: Field required"


@pytest.mark.parametrize("extra", [{}, {"weight": None, "bias": None}])
def test_set_layer_sets_something(client: TestClient, extra: dict[str, Any]) -> None:
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        send(ws, type="set_layer", layer=1, **extra)
        error = answer(ws)
        assert error["type"] == "error"
        assert "set_layer needs a weight, a bias or both" in error["message"]


@pytest.mark.parametrize("read", [read_message, read_conv_message])
def test_an_ack_read_without_parsing_is_the_ack_parsing_reads(read: Any) -> None:
    """The page's acknowledgement is recognised by its text alone (followers send thousands a
    second); any other spelling is read as every message is, and what is no ack stays refused."""
    assert isinstance(read({"type": "websocket.receive", "text": '{"type":"ack"}'}, 1024), Ack)
    assert isinstance(read({"type": "websocket.receive", "text": '{ "type" : "ack" }'}, 1024), Ack)
    for text in ('{"type":"ack","n":1}', '{"type":"Ack"}', '{"type":"ack"'):
        with pytest.raises(Unreadable):
            read({"type": "websocket.receive", "text": text}, 1024)
    with pytest.raises(Unreadable, match="binary"):
        read({"type": "websocket.receive", "bytes": b'{"type":"ack"}'}, 1024)
