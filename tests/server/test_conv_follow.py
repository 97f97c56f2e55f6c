"""Follow mode in the convolution mode: a class watches the teacher's conv net, read-only."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from engine.conv.detector import readout_weights, templates
from tests.server.wsutil import next_event, next_frame, send


def test_a_follower_sees_the_leaders_frames_and_cannot_change_them(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv") as leader:
        session = next_event(leader, "hello")["session"]
        next_frame(leader)
        with client.websocket_connect(f"/ws/conv?follow={session}") as follower:
            hello = next_event(follower, "hello")
            assert hello["follow"] is True and hello["session"] == session
            assert hello["mode"] == "conv"
            send(leader, type="step", count=7)
            header, arrays = next_frame(follower)
            while header["step"] != 7:
                send(follower, type="ack")
                header, arrays = next_frame(follower)
            mine = next_frame(leader)
            while mine[0]["step"] != 7:
                mine = next_frame(leader)
            np.testing.assert_array_equal(arrays["kernel/0"], mine[1]["kernel/0"])
            send(follower, type="set_kernel", layer=0, channel=0, weights=[0.0] * 9)
            refused = next_event(follower, "error")
            assert "read-only" in refused["message"]
            send(follower, type="ping")
            next_event(follower, "pong")
            send(leader, type="lesson", name="04-c-versus-d", step=1)
            assert next_event(follower, "lesson")["lesson"] == {"name": "04-c-versus-d", "step": 1}


def test_a_lesson_the_conv_mode_does_not_serve_is_refused_naming_the_field(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws/conv") as ws:
        next_event(ws, "hello")
        send(ws, type="lesson", name="02-the-fold", step=0)  # a fold lesson, not a conv one
        error = next_event(ws, "error")
        assert error["field"] == "name" and "/api/conv/lessons" in error["allowed"]
        send(ws, type="lesson", name="03-shift", step=3)
        assert next_event(ws, "error")["field"] == "step"


def test_following_a_conv_session_that_is_gone_says_so(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv?follow=0123456789ab") as ws:
        error = next_event(ws, "error")
        assert error["field"] == "follow" and "no session" in error["message"]


def test_a_conv_lesson_is_served_with_its_hand_set_kernels_and_readout(
    client: TestClient,
) -> None:
    lesson = client.get("/api/conv/lessons/07-c-versus-d-by-hand").json()
    first = lesson["steps"][0]
    assert [k["weights"] for k in first["kernels"]] == [
        [float(v) for v in t.ravel()] for t in templates().values()
    ]
    assert first["readout"]["weight"] == readout_weights()
