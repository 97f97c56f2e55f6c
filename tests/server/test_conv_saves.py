"""Saving and reopening convolution experiments: the same network comes back, in another tab."""

from __future__ import annotations

import json

import numpy as np
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.server.wsutil import Frame, next_event, next_frame, send


def frame_at(ws: WebSocketTestSession, step: int) -> Frame:
    for _ in range(50):
        header, arrays = next_frame(ws)
        send(ws, type="ack")
        if header["step"] == step:
            return header, arrays
    raise AssertionError(f"no frame of step {step}")


def trained(ws: WebSocketTestSession) -> tuple[str, Frame]:
    """A motif session trained 30 steps with its first kernel set by hand, and its frame."""
    session = next_event(ws, "hello")["session"]
    send(ws, type="configure", changes={"data": {"kind": "motifs", "seed": 3}})
    send(ws, type="set_kernel", layer=0, channel=0, weights=[0.5, -1.0, 2.0], bias=0.25)
    send(ws, type="step", count=30)
    return session, frame_at(ws, 30)


def test_a_save_reopens_in_another_tab_with_the_same_weights_and_step(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv") as ws:
        session, (header, arrays) = trained(ws)
        response = client.post(f"/api/conv/sessions/{session}/saves", json={"name": "motif net"})
        assert response.status_code == 201
        saved = response.json()
        assert saved["link"] == f"/?mode=conv&open={saved['id']}"
    with client.websocket_connect("/ws/conv") as other:
        second = next_event(other, "hello")["session"]
        opened = client.post(f"/api/conv/sessions/{second}/open/{saved['id']}")
        assert opened.status_code == 200 and opened.json() == {"step": 30}
        again, again_arrays = frame_at(other, 30)
    assert again["metrics"] == header["metrics"]
    for name in ("kernel/0", "bias/0", "stage/1", "stage/4"):
        np.testing.assert_array_equal(again_arrays[name], arrays[name])


def test_the_fold_and_the_convolution_keep_their_saves_apart(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv") as ws:
        session, _ = trained(ws)
        saved = client.post(f"/api/conv/sessions/{session}/saves", json={"name": "c"}).json()
    assert [s["id"] for s in client.get("/api/conv/saves").json()] == [saved["id"]]
    assert client.get("/api/saves").json() == []
    assert client.get(f"/api/saves/{saved['id']}").status_code == 404


def test_an_exported_file_imports_and_a_bad_one_changes_nothing(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv") as ws:
        session, (_, arrays) = trained(ws)
        body = client.get(f"/api/conv/sessions/{session}/experiment").json()
        assert body["format"] == "spacefold-conv-experiment" and body["step"] == 30
        bad = json.loads(json.dumps(body))
        bad["parameters"][0]["values"] = bad["parameters"][0]["values"][:-1]
        answer = client.post(f"/api/conv/sessions/{session}/experiment", content=json.dumps(bad))
        assert answer.status_code == 422
        assert "holds" in answer.json()["detail"]
        wrong_type = json.loads(json.dumps(body))
        wrong_type["step"] = "30"
        answer = client.post(
            f"/api/conv/sessions/{session}/experiment", content=json.dumps(wrong_type)
        )
        assert answer.status_code == 422 and "step" in answer.json()["detail"]
        send(ws, type="step", count=1)
        _, after_arrays = frame_at(ws, 31)  # the session trained on from where it was
        np.testing.assert_array_equal(after_arrays["stage/0"], arrays["stage/0"])
        good = client.post(f"/api/conv/sessions/{session}/experiment", content=json.dumps(body))
        assert good.status_code == 200 and good.json() == {"step": 30}
        _, back_arrays = frame_at(ws, 30)
        np.testing.assert_array_equal(back_arrays["kernel/0"], arrays["kernel/0"])


def test_a_conv_save_of_a_session_that_is_not_open_is_a_404(client: TestClient) -> None:
    answer = client.post("/api/conv/sessions/0123456789ab/saves", json={"name": "x"})
    assert answer.status_code == 404


def test_steps_past_the_cap_are_refused_naming_count_and_play_stops(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv") as ws:
        session, _ = trained(ws)
        body = client.get(f"/api/conv/sessions/{session}/experiment").json()
        body["step"] = 2**53 - 1  # the most an experiment file holds
        opened = client.post(f"/api/conv/sessions/{session}/experiment", content=json.dumps(body))
        assert opened.status_code == 200
        send(ws, type="step", count=5)
        error = next_event(ws, "error")
        assert error["field"] == "count" and "up to 1 more steps" in error["allowed"]
        send(ws, type="play")  # two steps a frame: refused too, and training stops
        assert next_event(ws, "error")["field"] == "count"
        send(ws, type="ping")
        next_event(ws, "pong")
        assert client.get(f"/api/conv/sessions/{session}/experiment").json()["step"] == 2**53 - 1
