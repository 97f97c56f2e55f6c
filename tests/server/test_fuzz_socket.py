"""Random, truncated, oversized and hostile control messages: the session always lives on."""

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.schemas import MESSAGE_TYPES
from tests.server.wsutil import next_event, send

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 2**31, 1e308, -0.0]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=30))
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
sections = st.fixed_dictionaries(
    {},
    optional={
        name: st.dictionaries(
            st.sampled_from(
                [
                    "width",
                    "depth",
                    "lr",
                    "dataset",
                    "points",
                    "noise",
                    "seed",
                    "pair",
                    "features",
                    "widths",
                    "speed",
                    "projection",
                    "batch_size",
                    "bogus",
                ]
            ),
            values,
            max_size=3,
        )
        for name in ("data", "model", "train", "view", "other")
    },
)
messages = st.one_of(
    st.builds(
        lambda t, extra: {"type": t, **extra},
        st.sampled_from([*MESSAGE_TYPES, "x", ""]),
        st.dictionaries(
            st.sampled_from(
                [
                    "count",
                    "x",
                    "y",
                    "label",
                    "layer",
                    "row",
                    "col",
                    "value",
                    "weight",
                    "bias",
                    "test",
                    "changes",
                ]
            ),
            values,
            max_size=4,
        ),
    ),
    st.builds(lambda changes: {"type": "configure", "changes": changes}, sections),
    values,
)


def cheap(message: Any) -> Any:
    """Keep valid requests small (few steps, few points): the fuzz is about shape, not load."""
    if isinstance(message, dict):
        out = {}
        for key, value in message.items():
            if (
                key in ("count", "points", "speed", "grid_samples", "region_resolution")
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and value > 50
            ):
                value = 50
            out[key] = cheap(value)
        return out
    if isinstance(message, list):
        return [cheap(v) for v in message]
    return message


def encode(message: Any) -> str:
    return json.dumps(message, allow_nan=True)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_random_messages_never_break_the_session(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="spacefold")
    sent = 0
    with client.websocket_connect("/ws") as ws:
        next_event(ws, "hello")

        @settings(
            max_examples=250,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(messages, st.integers(min_value=0, max_value=3))
        def check(message: Any, cut: int) -> None:
            nonlocal sent
            text = encode(cheap(message))
            if cut:  # truncated: the first part of the message only
                text = text[: len(text) * cut // 4]
            if message in ({"type": "play"}, {"type": "ping"}):
                return  # stay paused (answers stay quick); one pong answers one ping
            ws.send_text(text)
            send(ws, type="ping")
            next_event(ws, "pong", limit=5000)
            sent += 1

        check()
        ws.send_text("{" * 50000 + "}" * 50000)  # over the size cap and deeply nested
        assert "cap" in next_event(ws, "error", limit=5000)["message"]
        ws.send_text('{"type": "ping", "a": ' + "[" * 30000 + "]" * 30000 + "}")  # under the cap
        assert "nested" in next_event(ws, "error", limit=5000)["message"]
        send(ws, type="pause")
        assert next_event(ws, "state", limit=5000)["running"] is False
        send(ws, type="ping")
        next_event(ws, "pong", limit=5000)
    assert sent > 100
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert failures == [], failures[0].getMessage() if failures else ""
