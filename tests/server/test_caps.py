"""Every cap is a documented setting or range, and reaching it gets a clear message.

Covered elsewhere: sessions in total (test_websocket), idle time (test_websocket), saved
experiments (test_saves), points drawn or uploaded (test_points).
"""

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from server.app import create_app
from server.settings import Settings
from tests.live_server import ROOT
from tests.server.wsutil import next_event, send


def readme_default(variable: str) -> str:
    """The default the README's settings table gives for ``variable``."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(rf"^\| `{variable}` \| `([^`]*)` \|", readme, re.MULTILINE)
    assert found, f"{variable} is not in README's settings table"
    return found.group(1)


def test_the_readme_gives_every_numeric_setting_its_true_default() -> None:
    numbers = {
        name: field.default
        for name, field in Settings.model_fields.items()
        if isinstance(field.default, int | float)
    }
    assert {
        "max_sessions",
        "max_sessions_per_client",
        "max_message_bytes",
        "idle_minutes",
        "max_saves",
    } <= set(numbers)
    for name, default in numbers.items():
        assert readme_default(f"SPACEFOLD_{name.upper()}") == f"{default:g}", name


def closed_with_error(ws: WebSocketTestSession) -> tuple[str, int]:
    """The error a refused socket is sent, and the code it is then closed with."""
    error = ws.receive_json()
    assert error["type"] == "error", error
    closed = ws.receive()
    assert closed["type"] == "websocket.close", closed
    return error["message"], closed["code"]


def test_one_address_may_hold_only_so_many_sessions_and_others_still_get_theirs(
    tmp_path: Path,
) -> None:
    app = create_app(Settings(device="cpu", data_dir=tmp_path, max_sessions_per_client=2))
    with TestClient(app, client=("192.0.2.7", 50000)) as first:
        other = TestClient(app, client=("192.0.2.8", 50000))  # another computer of the class
        with first.websocket_connect("/ws") as a, first.websocket_connect("/ws") as b:
            next_event(a, "hello")
            next_event(b, "hello")
            with first.websocket_connect("/ws") as refused:
                message, code = closed_with_error(refused)
            assert "192.0.2.7 already holds 2 sessions" in message and code == 1013
            with other.websocket_connect("/ws") as c:
                next_event(c, "hello")
                send(a, type="ping")
                next_event(a, "pong")  # the address's own sessions are untouched
                assert first.get("/api/health").json()["sessions"] == 3
        with first.websocket_connect("/ws") as again:  # closing tabs gives the room back
            assert next_event(again, "hello")["session"]
        assert first.get("/api/health").json()["sessions"] == 0


def test_tabs_on_the_server_machine_count_only_toward_the_total(tmp_path: Path) -> None:
    settings = Settings(device="cpu", data_dir=tmp_path, max_sessions_per_client=1, max_sessions=3)
    with (
        TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client,
        ExitStack() as tabs,
    ):
        for _ in range(3):
            next_event(tabs.enter_context(client.websocket_connect("/ws")), "hello")
        with client.websocket_connect("/ws") as refused:
            message, code = closed_with_error(refused)
        assert "maximum of 3 sessions" in message and code == 1013


def test_the_message_size_cap_is_the_setting(tmp_path: Path) -> None:
    settings = Settings(device="cpu", data_dir=tmp_path, max_message_bytes=300)
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws") as ws:
        next_event(ws, "hello")
        ws.send_text('{"type": "step", "count": 2}' + " " * 300)
        message = next_event(ws, "error")["message"]
        assert "328 bytes" in message and "300-byte cap" in message
        send(ws, type="step", count=2)  # a message under the cap is taken
        assert next_event(ws, "state")["step"] == 2


# (section, field, the largest value taken, one beyond it)
EDGES = [
    ("data", "points", 5000, 5001),
    ("model", "width", 32, 33),
    ("model", "depth", 10, 11),
    ("view", "grid_lines", 41, 42),
    ("view", "grid_samples", 129, 130),
    ("view", "region_resolution", 128, 129),
    ("view", "stage_region_resolution", 128, 129),
    ("view", "unit_resolution", 64, 65),
]


@pytest.mark.parametrize(("section", "field", "top", "beyond"), EDGES)
def test_a_range_cap_takes_its_edge_and_refuses_one_more(
    client: TestClient, section: str, field: str, top: int, beyond: int
) -> None:
    with client.websocket_connect("/ws") as ws:
        next_event(ws, "hello")
        send(ws, type="configure", changes={section: {field: top}})
        config = next_event(ws, "state")["config"]
        assert config[section][field] == top
        send(ws, type="configure", changes={section: {field: beyond}})
        error = next_event(ws, "error")
        assert error["field"] == f"{section}.{field}"
        assert error["message"].startswith(f"{section}.{field}") and str(top) in error["allowed"]
        send(ws, type="step")
        assert next_event(ws, "state")["config"] == config  # nothing changed


def test_more_hidden_layers_than_the_depth_cap_are_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        next_event(ws, "hello")
        send(ws, type="configure", changes={"model": {"widths": [2] * 11}})
        error = next_event(ws, "error")
        assert error["field"] == "model.widths" and "10" in error["message"]


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[TestClient]:
    """A server whose operator lowered the experiment caps."""
    settings = Settings(
        device="cpu", data_dir=tmp_path, max_points=300, max_width=4, max_depth=2, max_resolution=20
    )
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(
    ("changes", "field", "setting"),
    [
        ({"data": {"points": 301}}, "data.points", "SPACEFOLD_MAX_POINTS"),
        ({"model": {"width": 5}}, "model.width", "SPACEFOLD_MAX_WIDTH"),
        ({"model": {"widths": [2, 5]}}, "model.widths", "SPACEFOLD_MAX_WIDTH"),
        ({"model": {"depth": 3}}, "model.depth", "SPACEFOLD_MAX_DEPTH"),
        ({"model": {"widths": [2, 2, 2]}}, "model.widths", "SPACEFOLD_MAX_DEPTH"),
        ({"view": {"region_resolution": 21}}, "view.region_resolution", "SPACEFOLD_MAX_RESOLUTION"),
        ({"view": {"grid_samples": 21}}, "view.grid_samples", "SPACEFOLD_MAX_RESOLUTION"),
    ],
)
def test_an_operators_cap_refuses_past_it_and_changes_nothing(
    capped: TestClient, changes: dict[str, dict[str, object]], field: str, setting: str
) -> None:
    with capped.websocket_connect("/ws") as ws:
        before = next_event(ws, "hello")["config"]
        send(ws, type="configure", changes=changes)
        error = next_event(ws, "error")
        assert error["field"] == field and setting in error["message"], error
        send(ws, type="configure", changes={"model": {"width": 4}, "data": {"points": 300}})
        after = next_event(ws, "state")["config"]  # at the caps: taken
        assert after["model"]["width"] == 4 and after["data"]["points"] == 300
        assert after["model"]["depth"] == before["model"]["depth"]


def test_the_schema_reports_the_capped_ranges(capped: TestClient) -> None:
    fields = capped.get("/api/schema").json()["fields"]
    assert fields["model.width"]["max"] == 4 and fields["model.depth"]["max"] == 2
    assert fields["data.points"]["max"] == 300 and fields["view.grid_samples"]["max"] == 20
    assert fields["view.grid_lines"]["max"] == 41  # not capped


def test_points_past_the_points_cap_are_refused_however_they_come(capped: TestClient) -> None:
    with capped.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="configure", changes={"data": {"points": 300}})
        next_event(ws, "state")
        send(ws, type="add_point", x=0.1, y=0.1, label=0)
        assert "300 points" in next_event(ws, "error")["message"]
        rows = "\n".join(f"{i / 400},0.5,0" for i in range(301))
        upload = capped.post(f"/api/sessions/{session}/data.csv", content=f"x,y,label\n{rows}")
        assert upload.status_code == 422 and "300" in upload.text
        assert len(capped.get(f"/api/sessions/{session}/data.csv").text.splitlines()) == 301
