"""On a LAN bind, nobody but this machine gets in without the join code."""

import re
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.joincode import is_loopback_host, new_code
from server.settings import Settings
from tests.live_server import live_server


@pytest.fixture
def gated(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(device="cpu", data_dir=tmp_path, join_code="ab12cd")))


def test_pages_api_and_socket_need_the_code(gated: TestClient) -> None:
    with gated:
        page = gated.get("/")
        assert page.status_code == 403 and "join code" in page.text and "加入" in page.text
        assert gated.get("/api/health").status_code == 403
        assert gated.get("/static/main.js").status_code == 403
        with pytest.raises(WebSocketDisconnect), gated.websocket_connect("/ws") as ws:
            ws.receive()
        wrong = gated.get("/?join=ZZZZZZ")
        assert wrong.status_code == 403 and "not right" in wrong.text


def test_the_code_once_then_the_cookie(gated: TestClient) -> None:
    with gated:
        joined = gated.get("/?join=AB12CD")
        assert joined.status_code == 200 and "spacefold_join=AB12CD" in joined.headers["set-cookie"]
        assert gated.get("/api/health").status_code == 200  # the cookie carries it now
        with gated.websocket_connect("/ws") as ws:
            assert ws.receive_json()["type"] == "hello"


def test_codes_and_loopback() -> None:
    code = new_code()
    assert re.fullmatch(r"[A-Z2-9]{6}", code) and not set(code) & set("01IO")
    assert all(is_loopback_host(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.1.2.3"))
    assert not any(is_loopback_host(h) for h in ("10.0.0.4", "192.168.1.9", "testclient"))


def test_a_lan_bind_prints_a_code_and_this_machine_needs_none() -> None:
    with live_server("--host", "0.0.0.0") as server:
        found = re.search(r"join code: ([A-Z2-9]{6})", server.log())
        assert found, server.log()
        with urllib.request.urlopen(server.url + "api/health") as response:  # from loopback
            assert response.status == 200
