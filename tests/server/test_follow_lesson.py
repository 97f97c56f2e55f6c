"""Followers see the leader's lesson step: the page says which one it shows, the server checks
it against the lessons it serves and tells every follower (and each one that joins later)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server.wsutil import next_event, send


def test_a_follower_hears_the_lesson_step_the_leader_shows(client: TestClient) -> None:
    with client.websocket_connect("/ws") as leader:
        session = next_event(leader, "hello")["session"]
        with client.websocket_connect(f"/ws?follow={session}") as early:
            assert next_event(early, "hello")["lesson"] is None
            send(leader, type="lesson", name="04-width-two", step=2)
            assert next_event(early, "lesson")["lesson"] == {"name": "04-width-two", "step": 2}
            with client.websocket_connect(f"/ws?follow={session}") as late:
                hello = next_event(late, "hello")
                assert hello["lesson"] == {"name": "04-width-two", "step": 2}
                send(leader, type="lesson", name=None)
                for follower in (early, late):
                    assert next_event(follower, "lesson")["lesson"] is None


BAD = [
    ({"name": "no-such-lesson", "step": 0}, "name", "GET /api/lessons"),
    ({"name": "04-width-two", "step": 4}, "step", "from 0 up to 3"),  # it has 4 steps
    ({"name": "04-width-two", "step": -1}, "step", "from 0 up to 49"),
    ({"name": "04-width-two", "step": "1"}, "step", None),
    ({"name": "04-width-two", "step": 1.0}, "step", None),
    ({"name": "04-width-two", "step": True}, "step", None),
    ({"name": 4, "step": 0}, "name", None),
    ({"name": "../secret", "step": 0}, "name", None),
    ({"step": 0}, "name", None),
    ({"name": "04-width-two", "step": 0, "caption": "x"}, "caption", None),
]


@pytest.mark.parametrize(("fields", "field", "allowed"), BAD)
def test_a_bad_lesson_message_is_refused_naming_the_field(
    client: TestClient, fields: dict[str, Any], field: str, allowed: str | None
) -> None:
    with client.websocket_connect("/ws") as leader:
        session = next_event(leader, "hello")["session"]
        with client.websocket_connect(f"/ws?follow={session}") as follower:
            next_event(follower, "hello")
            send(leader, type="lesson", name="01-linear-layer", step=1)
            assert next_event(follower, "lesson")["lesson"]["step"] == 1
            send(leader, type="lesson", **fields)
            error = next_event(leader, "error")
            assert error["field"] == field
            if allowed is not None:
                assert allowed in error["allowed"]
            send(leader, type="lesson", name="01-linear-layer", step=2)  # the next good one
            assert next_event(follower, "lesson")["lesson"] == {
                "name": "01-linear-layer",
                "step": 2,
            }


def test_a_follower_cannot_set_the_lesson(client: TestClient) -> None:
    with client.websocket_connect("/ws") as leader:
        session = next_event(leader, "hello")["session"]
        with client.websocket_connect(f"/ws?follow={session}") as follower:
            next_event(follower, "hello")
            send(follower, type="lesson", name="01-linear-layer", step=0)
            assert "read-only" in next_event(follower, "error")["message"]
            send(leader, type="ping")
            next_event(leader, "pong")
            send(follower, type="ping")
            next_event(follower, "pong")
        with client.websocket_connect(f"/ws?follow={session}") as again:
            assert next_event(again, "hello")["lesson"] is None
