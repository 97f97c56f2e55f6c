"""What an outside client sends over HTTP is refused with a 422 that says why, never a 500: a
CSV file whatever its lines hold, and a save's name whatever its characters are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.store import MAX_NAME, Store, check_name
from tests.server.wsutil import next_event


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_a_csv_file_with_any_line_ending_is_read(client: TestClient, ending: bytes) -> None:
    body = ending.join([b"x,y,label,split", b"0.5,0.5,1,train", b"-1,2,0,test", b""])
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        reply = client.post(f"/api/sessions/{session}/data.csv", content=body)
        assert reply.status_code == 200
        assert reply.json() == {"points": 2, "train": 1, "test": 1}


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (b"x,y,label\r0,0,0\r" + b"1" * 200_000 + b",0,0\r", 3),  # over the csv module's limit
        (b"x,y,label\r\n0,0\r,0\r\n", 2),  # a carriage return inside a line
        (b"x,y,label\n0,0,0\n0,\xff,0\n", 3),  # not UTF-8
    ],
)
def test_a_bad_csv_file_is_a_422_naming_its_line(
    client: TestClient, body: bytes, line: int
) -> None:
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        url = f"/api/sessions/{session}/data.csv"
        before = client.get(url).text
        reply = client.post(url, content=body)
        assert reply.status_code == 422
        assert reply.json()["detail"].startswith(f"line {line}: ")
        assert client.get(url).text == before


BAD_NAMES = [
    ("\ud800", "is half of a surrogate pair"),
    ("ok \udfff", "is half of a surrogate pair"),
    ("two\nlines", "is a control character"),
    ("line\u2028break", "is a line break"),
    ("a\ttab", "is a control character"),
    ("bell\x07", "is a control character"),
    ("", "1 to 100 characters"),
    ("x" * (MAX_NAME + 1), "1 to 100 characters"),
]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_a_name_that_cannot_be_stored_is_a_422_in_create_and_rename(
    client: TestClient, name: str, why: str
) -> None:
    body = json.dumps({"name": name})  # JSON's escapes can spell half a surrogate pair
    headers = {"content-type": "application/json"}
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        kept = client.post(f"/api/sessions/{session}/saves", json={"name": "kept"}).json()
        created = client.post(f"/api/sessions/{session}/saves", content=body, headers=headers)
        renamed = client.patch(f"/api/saves/{kept['id']}", content=body, headers=headers)
    for reply in (created, renamed):
        assert reply.status_code == 422
        (problem,) = reply.json()["detail"]  # an answer that is JSON, whatever it echoes
        assert problem["loc"] == ["body", "name"]
        # pydantic refuses half a surrogate pair itself, before the store's check is asked
        assert why in problem["msg"] or problem["type"] == "string_unicode"
    assert [s["name"] for s in client.get("/api/saves").json()] == ["kept"]


@pytest.mark.parametrize("name", ["xor, width 3", "螺旋 🌀", "x" * MAX_NAME, "👩‍🔬 lab"])
def test_a_name_of_any_script_is_kept(client: TestClient, name: str) -> None:
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        saved = client.post(f"/api/sessions/{session}/saves", json={"name": name})
    assert saved.status_code == 201 and saved.json()["name"] == name
    renamed = client.patch(f"/api/saves/{saved.json()['id']}", json={"name": name})
    assert renamed.status_code == 200 and renamed.json()["name"] == name
    assert [s["name"] for s in client.get("/api/saves").json()] == [name]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_the_store_itself_keeps_no_name_it_could_not_give_back(
    tmp_path: Path, name: str, why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        check_name(name)
    store = Store(tmp_path / "saves.db")
    with pytest.raises(ValueError, match=why):
        store.save(name, {})
    kept = store.save("kept", {})
    with pytest.raises(ValueError, match=why):
        store.rename(kept.id, name)
    assert [s.name for s in store.list()] == ["kept"]
    store.close()
