"""The WebSocket protocol through FastAPI's TestClient (docs/protocol.md)."""

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from engine.encoding import decode_frame
from nets.train import Diverged, Trainer
from server.app import create_app
from server.settings import Settings
from tests.server.wsutil import DIVERGES, next_event, next_frame, send


def test_hello_then_frames_stream_while_playing(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = next_event(ws, "hello")
        assert hello["protocol"] == 1 and hello["running"] is False
        model = hello["config"]["model"]
        assert (model["width"], model["depth"], model["activation"]) == (2, 3, "relu")
        send(ws, type="play")
        assert next_event(ws, "state")["running"] is True
        steps = [next_frame(ws)[0]["step"] for _ in range(4)]
        assert steps == sorted(steps) and steps[-1] > steps[0]


def test_changing_width_live_sends_frames_of_the_new_network(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(ws, type="play")
        header, _ = next_frame(ws)
        send(ws, type="configure", changes={"model": {"width": 8, "depth": 2}})
        state = next_event(ws, "state")
        if state["config"]["model"]["width"] == 2:  # play's own state, after the first frame
            state = next_event(ws, "state")
        assert state["config"]["model"]["width"] == 8 and state["running"] is True
        for _ in range(50):
            new, arrays = next_frame(ws)
            if new["generation"] > header["generation"]:
                break
        assert [s["width"] for s in new["stages"]] == [2, 8, 8, 8, 8, 2]
        assert arrays["stage1/points"].shape == (400, 2)
        later = next_frame(ws)[0]
        assert later["step"] > new["step"] or later["generation"] == new["generation"]


def test_step_pause_and_reset(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(ws, type="step", count=25)
        assert next_event(ws, "state")["step"] == 25
        header, _ = next_frame(ws)
        while header["step"] != 25:
            header, _ = next_frame(ws)
        send(ws, type="reset")
        state = next_event(ws, "state")
        assert state["step"] == 0 and state["running"] is False
        send(ws, type="play")
        next_event(ws, "state")
        send(ws, type="pause")
        paused_at = next_event(ws, "state")["step"]
        send(ws, type="ping")
        next_event(ws, "pong")
        send(ws, type="step")
        assert next_event(ws, "state")["step"] == paused_at + 1


BAD_MESSAGES = [
    ('{"type": "configure", "changes": {"model": {"width": 0}}}', "model.width", "1 up to 32"),
    ('{"type": "configure", "changes": {"model": {"depth": 1000}}}', "model.depth", "0 up to 10"),
    ('{"type": "configure", "changes": {"train": {"lr": -1}}}', "train.lr", "above 0"),
    ('{"type": "configure", "changes": {"train": {"lr": NaN}}}', "train.lr", "above 0"),
    (
        '{"type": "configure", "changes": {"data": {"points": 10000000}}}',
        "data.points",
        "10 up to 5000",
    ),
    (
        '{"type": "configure", "changes": {"data": {"dataset": "swirl"}}}',
        "data.dataset",
        "one of spiral",
    ),
    ('{"type": "configure", "changes": {"model": {"width": "wide"}}}', "model.width", "1 up to 32"),
    ('{"type": "configure", "changes": {"modle": {"width": 3}}}', "modle", None),
    ('{"type": "configure"}', "changes", None),
    ('{"type": "step", "count": 0}', "count", "1 up to 1000"),
    ('{"type": "warp"}', "type", "one of play"),
    ('{"count": 3}', "type", "one of play"),
    ('{"type": "set_weight", "layer": 9, "row": 0, "col": 0, "value": 1}', "layer", "1 up to 4"),
    ('{"type": "set_weight", "layer": 1, "row": 0, "col": 7, "value": 1}', "col", "0 up to 1"),
    (
        '{"type": "set_weight", "layer": 1, "row": 0, "col": 0, "value": 1e9}',
        "value",
        "-100.0 up to 100.0",
    ),
    (
        '{"type": "configure", "changes": {"model": {"features": ["x1", "x1"]}}}',
        "model.features",
        None,
    ),
    ('{"type": "configure", "changes": {"model": {"features": ["x9"]}}}', "model.features.0", None),
    (
        '{"type": "set_layer", "layer": 1, "weight": [[1, 2, 3], [4, 5, 6]]}',
        "weight",
        "2 rows of 2 numbers",
    ),
    ('{"type": "set_layer", "layer": 1, "bias": [1, "x"]}', "bias.1", None),
    ("[1, 2]", None, None),
    ("{not json", None, None),
]


@pytest.mark.parametrize(("text", "field", "allowed"), BAD_MESSAGES)
def test_bad_input_gets_an_error_and_the_session_lives_on(
    client: TestClient, text: str, field: str | None, allowed: str | None
) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = next_event(ws, "hello")
        send(ws, type="step", count=3)
        next_event(ws, "state")
        ws.send_text(text)
        error = next_event(ws, "error")
        assert error["field"] == field
        assert error["message"]
        if field:
            assert error["message"].startswith(field)
        if allowed:
            assert allowed in error["allowed"]
        send(ws, type="step")
        state = next_event(ws, "state")
        assert state["step"] == 4 and state["config"] == hello["config"]


def test_binary_and_oversized_messages_are_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_bytes(b"\x00\x01")
        assert "binary" in next_event(ws, "error")["message"]
        ws.send_text(json.dumps({"type": "ping", "pad": "x" * 70000}))
        assert "cap" in next_event(ws, "error")["message"]
        send(ws, type="ping")
        next_event(ws, "pong")


def test_a_foreign_origin_is_refused(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws,
    ):
        ws.receive()
    assert refused.value.code == 1008
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        next_event(ws, "hello")


def test_the_session_cap_is_enforced_and_sessions_are_released(tmp_path: Path) -> None:
    settings = Settings(device="cpu", max_sessions=1, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect("/ws") as first:
            next_event(first, "hello")
            assert client.get("/api/health").json()["sessions"] == 1
            with client.websocket_connect("/ws") as second:
                error = second.receive_json()
                assert error["type"] == "error" and "maximum of 1 sessions" in error["message"]
                closed = second.receive()
                assert closed["type"] == "websocket.close" and closed["code"] == 1013
        assert client.get("/api/health").json()["sessions"] == 0


def test_divergence_pauses_with_a_message(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: Trainer, count: int = 1) -> float:
        raise Diverged("loss became nan at step 7")

    monkeypatch.setattr(Trainer, "step", explode)  # the gym trains a lone session this way
    with client.websocket_connect("/ws") as ws:
        send(ws, type="play")
        event = next_event(ws, "diverged")
        assert "nan" in event["message"] and "reset" in event["message"]
        assert next_event(ws, "state")["running"] is False


def test_a_weight_set_by_hand_shows_in_the_next_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(ws, type="set_weight", layer=1, row=0, col=1, value=2.5)
        state = next_event(ws, "state")
        for _ in range(20):
            header, _ = next_frame(ws)
            if header["layers"][0]["weight"][0][1] == 2.5:
                break
        assert header["layers"][0]["weight"][0][1] == 2.5 and state["step"] == 0


@pytest.mark.parametrize("socket", ["/ws", "/ws/conv"])
def test_an_idle_tab_is_closed_with_a_message_and_its_session_freed(
    tmp_path: Path, socket: str
) -> None:
    settings = Settings(device="cpu", data_dir=tmp_path, idle_minutes=0.01)  # 0.6 s
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(socket) as ws:
            error = next_event(ws, "error")
            assert "without use" in error["message"]
            message = ws.receive()
            while message["type"] != "websocket.close":
                message = ws.receive()
            assert message["code"] == 1001
        assert client.get("/api/health").json()["sessions"] == 0


def test_a_real_divergence_pauses_still_draws_and_reset_recovers(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(
            ws,
            type="configure",
            changes={**DIVERGES, "view": {"projection": "pca"}},
        )
        next_event(ws, "state")
        send(ws, type="step", count=200)
        assert "diverged" in next_event(ws, "diverged")["message"].lower()
        header, _ = next_frame(ws)  # the broken network is still drawn
        while header["metrics"]["train_loss"] is not None:
            header, _ = next_frame(ws)
        send(ws, type="configure", changes={"train": {"lr": 0.01}})
        send(ws, type="reset")
        for _ in range(2):
            state = next_event(ws, "state")
        assert state["step"] == 0
        send(ws, type="step", count=5)
        assert next_event(ws, "state")["step"] == 5
        header, _ = next_frame(ws)
        while header["step"] != 5:
            header, _ = next_frame(ws)
        assert header["metrics"]["train_loss"] is not None


def test_a_pause_is_followed_by_one_frame_of_the_paused_step(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(ws, type="play")
        steps: list[int] = []
        while len(set(steps)) < 4:  # training is well under way
            steps.append(next_frame(ws)[0]["step"])
        send(ws, type="pause")
        while (state := next_event(ws, "state"))["running"] is not False:
            pass
        after: list[int] = []  # the steps of the frames that follow the state
        while state["step"] not in after:
            after.append(next_frame(ws)[0]["step"])
        for _ in range(3):  # anything more would follow at once: give it time to show
            time.sleep(0.1)
            send(ws, type="ping")
            while (message := ws.receive()).get("text") is None or '"pong"' not in message["text"]:
                after.append(decode_frame(message["bytes"])[0]["step"])
        assert after[-1] == state["step"]
        assert after.count(state["step"]) == 1, after
