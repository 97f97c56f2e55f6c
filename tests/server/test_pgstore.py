"""Saved experiments in PostgreSQL: the same answers as the embedded SQLite store, and one
store shared by two instances, surviving a restart of both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.pgstore import PostgresStore
from server.settings import Settings
from server.store import SqlStore, Store
from tests.postgres import postgres_server
from tests.server.wsutil import next_event, next_frame, send


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """Each store, in a table of its own so the tests do not see each other's rows."""
    table = f"t_{request.node.name.split('[')[0][-30:]}_{request.param}".replace("-", "_")
    if request.param == "sqlite":
        made: SqlStore = Store(tmp_path / "saves.db", table)
    else:
        made = PostgresStore(request.getfixturevalue("pg_url"), table)
    yield made
    made.close()


def test_both_stores_save_list_rename_and_delete_alike(store: SqlStore) -> None:
    first = store.save("first", {"a": [1, 2.5, "x"]})
    second = store.save("second ü", {"b": None})
    assert store.body(first.id) == {"a": [1, 2.5, "x"]} and store.count() == 2
    assert [s.id for s in store.list()] == [second.id, first.id]  # the latest first
    renamed = store.rename(first.id, "renamed")
    assert renamed is not None and renamed.name == "renamed" and renamed.updated >= first.updated
    assert [s.id for s in store.list()] == [first.id, second.id]
    assert store.rename("nosuchid", "x") is None and store.body("nosuchid") is None
    assert store.delete(second.id) and not store.delete(second.id)
    assert store.count() == 1
    with pytest.raises(ValueError, match="1 to 100"):
        store.save("", {})


def test_a_save_made_through_one_instance_opens_through_the_other_and_outlives_both(
    pg_url: str, tmp_path: Path
) -> None:
    def instance(name: str) -> TestClient:
        return TestClient(
            create_app(Settings(device="cpu", data_dir=tmp_path / name, store=pg_url))
        )

    with instance("a") as a, a.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="step", count=12)
        next_event(ws, "state")
        saved = a.post(f"/api/sessions/{session}/saves", json={"name": "shared"}).json()
    for name in ("b", "c"):  # another instance, then both restarted: the store keeps it
        with instance(name) as other, other.websocket_connect("/ws") as ws:
            session = next_event(ws, "hello")["session"]
            assert saved["id"] in [s["id"] for s in other.get("/api/saves").json()]
            opened = other.post(f"/api/sessions/{session}/open/{saved['id']}")
            assert opened.status_code == 200 and opened.json() == {"step": 12}
            header, _ = next_frame(ws)
            while header["step"] != 12:
                header, _ = next_frame(ws)


def test_a_store_that_cannot_be_reached_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="cannot use the PostgreSQL store"):
        PostgresStore("postgresql://nobody@127.0.0.1:1/none")


def test_only_a_postgresql_url_names_a_store() -> None:
    with pytest.raises(ValueError, match="postgres"):
        Settings(store="sqlite:///elsewhere.db")
