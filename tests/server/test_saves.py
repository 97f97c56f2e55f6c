"""Saving, listing, renaming, deleting, exporting and importing experiments."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from server.app import create_app
from server.settings import Settings
from tests.server.wsutil import DIVERGES, Frame, next_event, next_frame, send


@contextmanager
def trained_session(client: TestClient) -> Iterator[tuple[str, WebSocketTestSession]]:
    """A session trained 40 steps on xor at width 3, with one point added by hand."""
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="configure", changes={"model": {"width": 3}, "data": {"dataset": "xor"}})
        send(ws, type="step", count=40)
        send(ws, type="add_point", x=0.5, y=0.5, label=1)
        for _ in range(3):
            next_event(ws, "state")
        yield session, ws


def latest(ws: WebSocketTestSession, step: int) -> Frame:
    """The frame of ``step`` once the hand-added point is in (201 training points)."""
    for _ in range(50):
        header, arrays = next_frame(ws)
        if header["step"] == step and header["n_train"] == 201:
            return header, arrays
    raise AssertionError(f"no frame of step {step}")


def test_save_then_reopen_in_another_tab_gives_the_same_network(client: TestClient) -> None:
    with trained_session(client) as (session, ws):
        saved = client.post(f"/api/sessions/{session}/saves", json={"name": "xor, width 3"})
        assert saved.status_code == 201
        body = saved.json()
        assert body["link"] == f"/?open={body['id']}" and len(body["id"]) == 8
        before_header, before = latest(ws, 40)
    with client.websocket_connect("/ws") as other:
        second = next_event(other, "hello")["session"]
        opened = client.post(f"/api/sessions/{second}/open/{body['id']}")
        assert opened.json() == {"step": 40}
        state = next_event(other, "state")
        assert state["config"]["model"]["width"] == 3 and state["step"] == 40
        header, arrays = latest(other, 40)
        assert header["metrics"] == before_header["metrics"]
        for name in ("stage0/points", "stage3/points", "labels", "region/label"):
            np.testing.assert_array_equal(arrays[name], before[name])


def test_list_rename_delete(client: TestClient) -> None:
    with trained_session(client) as (session, _):
        first = client.post(f"/api/sessions/{session}/saves", json={"name": "one"}).json()
        client.post(f"/api/sessions/{session}/saves", json={"name": "two"})
        assert client.post(f"/api/sessions/{session}/saves", json={"name": ""}).status_code == 422
    assert sorted(s["name"] for s in client.get("/api/saves").json()) == ["one", "two"]
    renamed = client.patch(f"/api/saves/{first['id']}", json={"name": "first"})
    assert renamed.json()["name"] == "first"
    assert client.delete(f"/api/saves/{first['id']}").status_code == 204
    assert [s["name"] for s in client.get("/api/saves").json()] == ["two"]
    assert client.delete(f"/api/saves/{first['id']}").status_code == 404
    assert client.patch("/api/saves/zzzzzzzz", json={"name": "x"}).status_code == 404
    assert client.get("/api/saves/../../etc").status_code == 404
    assert client.get("/api/saves/ABC").status_code == 422


def test_export_and_import_round_trip_and_a_bad_file_changes_nothing(client: TestClient) -> None:
    with trained_session(client) as (session, ws):
        check_export_and_import(client, session, ws)


def check_export_and_import(client: TestClient, session: str, ws: WebSocketTestSession) -> None:
    saved = client.post(f"/api/sessions/{session}/saves", json={"name": "x"}).json()
    exported = client.get(f"/api/saves/{saved['id']}")
    assert "attachment" in exported.headers["content-disposition"]
    document = exported.json()
    assert document["format"] == "spacefold-experiment" and document["step"] == 40
    bad_files = [
        (b"{", 422, None),
        (json.dumps({**document, "version": 9}).encode(), 422, "version"),
        (json.dumps({**document, "layers": document["layers"][:1]}).encode(), 422, "layers"),
        (json.dumps({**document, "step": -1}).encode(), 422, "step"),
        (
            json.dumps(
                {
                    **document,
                    "points": {
                        **document["points"],
                        "y_train": [9] * len(document["points"]["y_train"]),
                    },
                }
            ).encode(),
            422,
            "label",
        ),
        (b"[" * 100000 + b"]" * 100000, 422, None),
        (b" " * (5 << 20), 413, "MiB"),
    ]
    send(ws, type="step", count=5)
    next_event(ws, "state")
    for raw, status, word in bad_files:
        response = client.post(f"/api/sessions/{session}/experiment", content=raw)
        assert response.status_code == status, raw[:80]
        if word:
            assert word in response.json()["detail"]
    send(ws, type="ping")
    next_event(ws, "pong")
    send(ws, type="step")
    assert next_event(ws, "state")["step"] == 46  # nothing changed
    imported = client.post(f"/api/sessions/{session}/experiment", content=exported.content)
    assert imported.json()["step"] == 40
    assert next_event(ws, "state")["step"] == 40


def test_saves_survive_a_restart_and_the_cap_holds(tmp_path: Path) -> None:
    settings = Settings(device="cpu", data_dir=tmp_path, max_saves=1)
    with TestClient(create_app(settings)) as client, trained_session(client) as (session, _):
        saved = client.post(f"/api/sessions/{session}/saves", json={"name": "kept"}).json()
        full = client.post(f"/api/sessions/{session}/saves", json={"name": "more"})
        assert full.status_code == 409 and "full" in full.json()["detail"]
    with TestClient(create_app(settings)) as client:
        assert [s["id"] for s in client.get("/api/saves").json()] == [saved["id"]]


@pytest.mark.parametrize("path", ["/api/sessions/0123456789ab/saves"])
def test_an_unknown_session_cannot_be_saved(client: TestClient, path: str) -> None:
    assert client.post(path, json={"name": "x"}).status_code == 404


def test_a_session_exports_its_experiment_without_saving_it(client: TestClient) -> None:
    with trained_session(client) as (session, ws):
        exported = client.get(f"/api/sessions/{session}/experiment")
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        document = exported.json()
        assert document["format"] == "spacefold-experiment" and document["step"] == 40
        assert len(document["points"]["y_train"]) == 201  # the point drawn by hand is in it
        assert client.get("/api/saves").json() == []  # nothing was saved on the way
        with client.websocket_connect("/ws") as other:
            target = next_event(other, "hello")["session"]
            opened = client.post(f"/api/sessions/{target}/experiment", content=exported.content)
            assert opened.json()["step"] == 40
            header, _ = latest(other, 40)
            mine, _ = latest(ws, 40)
            assert header["layers"] == mine["layers"]
    assert client.get("/api/sessions/0123456789ab/experiment").status_code == 404


def test_a_diverged_network_is_neither_exported_nor_saved_but_says_why(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="configure", changes=DIVERGES)
        next_event(ws, "state")
        send(ws, type="step", count=200)
        next_event(ws, "diverged")
        why = "the network diverged (a weight is not finite, or past ±10⁶): reset it or load a save"
        exported = client.get(f"/api/sessions/{session}/experiment")
        saved = client.post(f"/api/sessions/{session}/saves", json={"name": "broken"})
        for reply in (exported, saved):
            assert reply.status_code == 409 and reply.json()["detail"].startswith(why)
        assert client.get("/api/saves").json() == []  # nothing was kept
        send(ws, type="reset")
        while next_event(ws, "state")["step"] != 0:  # the divergence's own state comes first
            pass
        assert client.get(f"/api/sessions/{session}/experiment").status_code == 200
