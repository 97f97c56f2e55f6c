"""The convolution socket, /ws/conv, through FastAPI's TestClient: hello and frames, steps,
play and pause, strict input (an error naming the field, the session alive and unchanged), and
the session cap it shares with /ws."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from engine.conv.schemas import CONV_MESSAGE_TYPES, ConvConfig
from engine.encoding import decode_frame
from engine.schemas import merge_config
from server.app import create_app
from server.settings import Settings
from tests.server.wsutil import Frame, next_event, next_frame, send

CONV = "/ws/conv"
DEFAULTS = ConvConfig().model_dump(mode="json")


@pytest.fixture(scope="module")
def conv_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One server for the tests of this module that need no settings of their own."""
    data = tmp_path_factory.mktemp("conv")
    with TestClient(create_app(Settings(device="cpu", data_dir=data))) as client:
        yield client


@pytest.fixture
def ws(conv_client: TestClient) -> Iterator[WebSocketTestSession]:
    """A conv socket past its hello and first frame."""
    with conv_client.websocket_connect(CONV) as socket:
        next_event(socket, "hello")
        next_frame(socket)
        yield socket


@pytest.fixture(scope="module")
def long_lived(conv_client: TestClient) -> Iterator[WebSocketTestSession]:
    """One conv socket that many bad messages are sent to in turn: each must leave it alive
    and as it was."""
    with conv_client.websocket_connect(CONV) as socket:
        next_event(socket, "hello")
        next_frame(socket)
        yield socket


def current_state(ws: WebSocketTestSession) -> dict[str, Any]:
    """The session's state, asked for with a pause (which changes nothing while paused)."""
    send(ws, type="pause")
    return next_event(ws, "state")


def test_hello_then_a_frame(conv_client: TestClient) -> None:
    with conv_client.websocket_connect(CONV) as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["mode"] == "conv" and hello["protocol"] == 1
        assert hello["config"] == DEFAULTS
        assert hello["running"] is False and hello["step"] == 0 and hello["generation"] == 1
        assert isinstance(hello["session"], str) and hello["session"]
        header, arrays = next_frame(ws, limit=1)
        assert header["type"] == "conv_frame" and header["step"] == 0
        assert header["generation"] == 1 and header["classes"] == ["C", "D"]
        assert arrays["stage/0"].shape == (1, 16, 16)


def test_a_step_sends_the_state_and_a_frame_of_that_step(ws: WebSocketTestSession) -> None:
    send(ws, type="step", count=7)
    state = next_event(ws, "state")
    assert state["step"] == 7 and state["running"] is False and state["mode"] == "conv"
    assert state["followers"] == 0 and state["config"] == DEFAULTS
    header, _ = next_frame(ws)
    assert header["step"] == 7
    send(ws, type="step")  # count 1 by default
    assert next_event(ws, "state")["step"] == 8
    assert next_frame(ws)[0]["step"] == 8


def test_configure_rebuilds_and_the_frame_shows_the_new_net(ws: WebSocketTestSession) -> None:
    changes: dict[str, dict[str, Any]] = {
        "data": {"kind": "motifs"},
        "model": {"layers": [{"channels": 2, "kernel": 5}]},
    }
    send(ws, type="configure", changes=changes)
    state = next_event(ws, "state")
    assert state["generation"] == 2 and state["step"] == 0
    want = merge_config(ConvConfig(), changes).model_dump(mode="json")
    assert state["config"] == want
    header, arrays = next_frame(ws)
    assert header["generation"] == 2
    assert arrays["kernel/0"].shape == (2, 1, 5) and "matrix/index" in arrays
    send(ws, type="configure", changes={"train": {"lr": 0.05}})
    state = next_event(ws, "state")
    assert state["generation"] == 2 and state["config"]["train"]["lr"] == 0.05


def test_set_kernel_and_set_input_are_shown(ws: WebSocketTestSession) -> None:
    taps = [1.0, 0.0, -1.0, 2.0, 0.0, -2.0, 1.0, 0.0, -1.0]
    send(ws, type="set_kernel", layer=0, channel=3, weights=taps, bias=-0.5)
    next_event(ws, "state")
    _, arrays = next_frame(ws)
    assert arrays["kernel/0"][3].ravel().tolist() == taps and arrays["bias/0"][3] == -0.5
    pixels = [0.0] * 256
    pixels[17] = 9.5
    send(ws, type="set_input", values=pixels)
    next_event(ws, "state")
    header, arrays = next_frame(ws)
    assert arrays["stage/0"][0, 1, 1] == 9.5 and header["example"]["drawn"] is True
    send(ws, type="set_input", values=None)
    next_event(ws, "state")
    assert next_frame(ws)[0]["example"]["drawn"] is False


#: Bad messages and the field their error must name (None: the message as a whole).
BAD: list[tuple[str, Any, str | None]] = [
    ("count as a string", {"type": "step", "count": "3"}, "count"),
    ("count as a float", {"type": "step", "count": 2.0}, "count"),
    ("count too big", {"type": "step", "count": 1001}, "count"),
    ("unknown field", {"type": "play", "speed": 3}, "speed"),
    ("unknown type", {"type": "set_weight"}, "type"),
    ("no type", {"count": 3}, "type"),
    ("unknown section", {"type": "configure", "changes": {"net": {"kernel": 3}}}, "net"),
    (
        "unknown config field",
        {"type": "configure", "changes": {"model": {"width": 3}}},
        "model.width",
    ),
    (
        "kernel 12",
        {"type": "configure", "changes": {"model": {"layers": [{"kernel": 12}]}}},
        "model.layers.0.kernel",
    ),
    (
        "a layer's string channels",
        {"type": "configure", "changes": {"model": {"layers": [{}, {"channels": "4"}]}}},
        "model.layers.1.channels",
    ),
    (
        "five layers",
        {"type": "configure", "changes": {"model": {"layers": [{}] * 5}}},
        "model.layers",
    ),
    (
        "no such glyph",
        {"type": "configure", "changes": {"data": {"glyphs": ["C", "Q"]}}},
        "data.glyphs.1",
    ),
    ("a bool for lr", {"type": "configure", "changes": {"train": {"lr": True}}}, "train.lr"),
    (
        "a stack too big",
        {
            "type": "configure",
            "changes": {"model": {"layers": [{"kernel": 9, "padding": "valid"}] * 2}},
        },
        "model.layers",
    ),
    (
        "one shift for an image",
        {"type": "configure", "changes": {"view": {"shift": [2]}}},
        "view.shift",
    ),
    (
        "set_kernel wrong length",
        {"type": "set_kernel", "layer": 0, "channel": 0, "weights": [1.0, 2.0]},
        "weights",
    ),
    (
        "set_kernel past the layers",
        {"type": "set_kernel", "layer": 2, "channel": 0, "weights": [0.0] * 9},
        "layer",
    ),
    (
        "set_kernel past the channels",
        {"type": "set_kernel", "layer": 0, "channel": 4, "weights": [0.0] * 9},
        "channel",
    ),
    (
        "set_kernel weight 11",
        {"type": "set_kernel", "layer": 0, "channel": 0, "weights": [11.0] + [0.0] * 8},
        "weights.0",
    ),
    ("set_kernel no weights", {"type": "set_kernel", "layer": 0, "channel": 0}, "weights"),
    ("set_readout one row for two classes", {"type": "set_readout", "weight": [[1.0]]}, "weight"),
    ("set_readout a string", {"type": "set_readout", "weight": [["1"]]}, "weight.0.0"),
    ("set_input wrong length", {"type": "set_input", "values": [0.5] * 48}, "values"),
    ("set_input a string", {"type": "set_input", "values": ["1"] * 256}, "values.0"),
    ("set_input missing", {"type": "set_input"}, "values"),
    ("lesson step as a string", {"type": "lesson", "name": None, "step": "1"}, "step"),
    ("a list", [{"type": "ping"}], None),
]


@pytest.mark.parametrize(("message", "field"), [(m, f) for _, m, f in BAD], ids=[b[0] for b in BAD])
def test_bad_input_gets_an_error_naming_the_field_and_changes_nothing(
    long_lived: WebSocketTestSession, message: Any, field: str | None
) -> None:
    ws = long_lived
    send(ws, type="step", count=2)
    before = next_event(ws, "state")
    ws.send_text(json.dumps(message))
    error = next_event(ws, "error")
    if field is not None:
        assert error["field"] == field, error
        assert error["message"].startswith(f"{field}: ")
    assert error["message"]
    send(ws, type="ping")
    next_event(ws, "pong")
    after = current_state(ws)
    for key in ("config", "step", "generation", "running"):
        assert after[key] == before[key], key


@pytest.mark.parametrize(
    "raw", ["{nope", "", "null", '"play"', "3"], ids=["malformed", "empty", "null", "string", "int"]
)
def test_text_that_is_no_message_gets_an_error(ws: WebSocketTestSession, raw: str) -> None:
    ws.send_text(raw)
    assert next_event(ws, "error")["message"]
    send(ws, type="ping")
    next_event(ws, "pong")
    assert current_state(ws)["config"] == DEFAULTS


def test_a_binary_message_gets_an_error(ws: WebSocketTestSession) -> None:
    ws.send_bytes(b'{"type": "play"}')
    assert "binary" in next_event(ws, "error")["message"]
    send(ws, type="ping")
    next_event(ws, "pong")
    assert current_state(ws)["running"] is False


def test_an_error_says_what_is_allowed(ws: WebSocketTestSession) -> None:
    send(ws, type="configure", changes={"model": {"layers": [{"kernel": 12}]}})
    error = next_event(ws, "error")
    assert error["allowed"] == "from 1 up to 9"
    send(ws, type="play!")
    error = next_event(ws, "error")
    assert error["field"] == "type"
    assert all(name in error["allowed"] for name in CONV_MESSAGE_TYPES)


def frames_until_pong(ws: WebSocketTestSession, ack: bool) -> list[Frame]:
    """Every frame before the answer to a ping sent now (each acknowledged if ``ack``)."""
    send(ws, type="ping")
    frames = []
    for _ in range(1000):
        message = ws.receive()
        if message.get("bytes") is not None:
            frames.append(decode_frame(message["bytes"]))
            if ack:
                send(ws, type="ack")
        elif json.loads(message["text"])["type"] == "pong":
            return frames
    raise AssertionError("no pong")


def test_play_streams_frames_of_growing_steps_and_pause_stops_them(
    ws: WebSocketTestSession,
) -> None:
    send(ws, type="ack")  # from now on this client acknowledges every frame
    send(ws, type="play")
    assert next_event(ws, "state")["running"] is True
    steps: list[int] = []
    while len(steps) < 5:
        header, _ = next_frame(ws)
        send(ws, type="ack")
        steps.append(header["step"])
    assert steps == sorted(steps) and steps[-1] >= steps[0] + 2 * 4  # speed 2 a frame
    assert len(set(steps)) == len(steps)
    send(ws, type="pause")
    paused = next_event(ws, "state")
    assert paused["running"] is False
    time.sleep(0.3)  # a playing session would send several frames by now
    late = frames_until_pong(ws, ack=True)
    time.sleep(0.3)
    late += frames_until_pong(ws, ack=True)
    speed = DEFAULTS["view"]["speed"]
    # At most the one training round that was under way when the pause came.
    assert all(header["step"] <= paused["step"] + speed for header, _ in late)
    assert len(late) <= 2
    send(ws, type="step", count=1)
    settled = next_event(ws, "state")["step"]
    assert settled <= paused["step"] + speed + 1


def test_a_diverging_net_pauses_with_a_diverged_event(ws: WebSocketTestSession) -> None:
    send(
        ws,
        type="configure",
        changes={
            "data": {"kind": "motifs"},
            "model": {"layers": [{"channels": 8}] * 3, "activation": "linear"},
            "train": {"optimizer": "sgd", "lr": 10.0},
            "view": {"speed": 50},
        },
    )
    next_event(ws, "state")
    send(ws, type="play")
    event = next_event(ws, "diverged")
    assert "reset" in event["message"] and event["step"] >= 1
    assert next_event(ws, "state")["running"] is False
    send(ws, type="reset")
    state = next_event(ws, "state")
    assert state["step"] == 0 and state["running"] is False
    send(ws, type="ping")
    next_event(ws, "pong")


def test_a_lesson_that_is_not_served_is_refused(ws: WebSocketTestSession) -> None:
    send(ws, type="lesson", name="99-no-such-lesson", step=0)
    assert next_event(ws, "error")["field"] == "name"


def test_lesson_and_ack_get_no_answer(ws: WebSocketTestSession) -> None:
    send(ws, type="lesson", name=None)
    send(ws, type="ack")
    send(ws, type="ping")
    message = ws.receive()
    while message.get("bytes") is not None:  # a frame may still be on its way; no event is
        message = ws.receive()
    assert json.loads(message["text"]) == {"type": "pong"}


def closed_with_error(ws: WebSocketTestSession) -> tuple[str, int]:
    error = ws.receive_json()
    assert error["type"] == "error", error
    closed = ws.receive()
    assert closed["type"] == "websocket.close", closed
    return error["message"], closed["code"]


def test_conv_sessions_count_toward_the_session_cap(tmp_path: Path) -> None:
    settings = Settings(device="cpu", max_sessions=1, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(CONV) as first:
            next_event(first, "hello")
            assert client.get("/api/health").json()["sessions"] == 1
            for path in (CONV, "/ws"):
                with client.websocket_connect(path) as refused:
                    message, code = closed_with_error(refused)
                assert "maximum of 1 sessions" in message and code == 1013
            send(first, type="ping")
            next_event(first, "pong")  # the open session is untouched
        assert client.get("/api/health").json()["sessions"] == 0
        with client.websocket_connect("/ws") as fold:
            next_event(fold, "hello")
            with client.websocket_connect(CONV) as refused:
                message, code = closed_with_error(refused)
            assert code == 1013
        with client.websocket_connect(CONV) as again:  # the room is given back
            assert next_event(again, "hello")["mode"] == "conv"
