"""Follow mode: read-only viewers get the leader's frames and states."""

from fastapi.testclient import TestClient

from tests.server.wsutil import next_event, next_frame, send


def test_followers_see_the_leaders_frames_and_cannot_drive(client: TestClient) -> None:
    with client.websocket_connect("/ws") as leader:
        session = next_event(leader, "hello")["session"]
        with client.websocket_connect(f"/ws?follow={session}") as a, \
                client.websocket_connect(f"/ws?follow={session}") as b:
            hello = next_event(a, "hello")
            assert hello["follow"] is True and hello["session"] == session
            next_event(b, "hello")
            send(leader, type="step", count=7)
            for follower in (a, b):
                header, _ = next_frame(follower)
                while header["step"] != 7:
                    header, _ = next_frame(follower)
            state = next_event(leader, "state")
            while state["followers"] != 2 or state["step"] != 7:
                state = next_event(leader, "state")
            send(a, type="play")
            assert "read-only" in next_event(a, "error")["message"]
            send(a, type="ping")
            next_event(a, "pong")
            send(leader, type="configure", changes={"model": {"width": 4}})
            state = next_event(b, "state")
            while state["config"]["model"]["width"] != 4:
                state = next_event(b, "state")
            header, _ = next_frame(b)
            while header["stages"][1]["width"] != 4:
                header, _ = next_frame(b)
        state = next_event(leader, "state")
        while state["followers"] != 0:
            state = next_event(leader, "state")
        assert state["step"] == 0  # the width change reset the step; the leader is intact


def test_following_a_session_that_does_not_exist(client: TestClient) -> None:
    with client.websocket_connect("/ws?follow=0123456789ab") as ws:
        error = ws.receive_json()
        assert error["field"] == "follow" and "no session" in error["message"]
        closed = ws.receive()
        assert closed["type"] == "websocket.close" and closed["code"] == 1008
