"""Drawing data by hand and moving it in and out as CSV, over the socket and HTTP."""

import numpy as np
from fastapi.testclient import TestClient

from tests.oracle import assert_coords
from tests.server.wsutil import next_event, next_frame, send


def test_adding_and_removing_points_changes_what_is_trained_on(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="step", count=5)
        next_event(ws, "state")
        send(ws, type="add_point", x=0.25, y=0.75, label=1)
        state = next_event(ws, "state")
        assert state["config"]["data"]["dataset"] == "custom"
        assert state["step"] == 5  # the network and its training went on
        header, arrays = next_frame(ws)
        while header["n_train"] != 201:
            header, arrays = next_frame(ws)
        np.testing.assert_allclose(arrays["stage0/points"][200], [0.25, 0.75], atol=1e-3)
        assert arrays["labels"][200] == 1
        send(ws, type="remove_point", x=0.26, y=0.74)
        next_event(ws, "state")
        csv = client.get(f"/api/sessions/{session}/data.csv").text
        assert "0.25,0.75" not in csv and len(csv.strip().splitlines()) == 401
        send(ws, type="remove_point", x=40.0, y=40.0)  # far from all: still the nearest goes
        next_event(ws, "state")
        assert len(client.get(f"/api/sessions/{session}/data.csv").text.strip().splitlines()) == 400
        send(ws, type="add_point", x=0.0, y=0.0, label=4)
        assert "label 4" in next_event(ws, "error")["message"]


def test_clearing_leaves_an_empty_plane_that_still_draws(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(ws, type="clear_points")
        next_event(ws, "state")
        send(ws, type="step", count=3)
        assert next_event(ws, "state")["step"] == 0  # nothing to learn from
        header, arrays = next_frame(ws)
        while header["n_train"] != 0:
            header, arrays = next_frame(ws)
        assert arrays["stage1/points"].shape == (0, 2)
        assert header["metrics"]["train_loss"] is None
        send(ws, type="add_point", x=-0.5, y=0.5, label=0)
        send(ws, type="add_point", x=0.5, y=0.5, label=1)
        send(ws, type="step", count=3)
        for _ in range(3):
            state = next_event(ws, "state")
        assert state["step"] == 3


def test_csv_upload_replaces_the_points_and_a_bad_file_changes_nothing(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        url = f"/api/sessions/{session}/data.csv"
        before = client.get(url).text
        for body, status, message in [
            (b"x,y,label\n1,2,9\n", 422, "line 2: label 9"),
            (b"\xff\xfe\x00", 422, "UTF-8"),
            (b"x,y,label\n" + b"0,0,0\n" * 5001, 422, "at most 5000"),
            (b"x" * (1 << 20 + 1), 413, "KiB"),
        ]:
            response = client.post(url, content=body)
            assert response.status_code == status and message in response.json()["detail"]
        assert client.get(url).text == before
        response = client.post(url, content=b"x,y,label,split\n0.1,0.2,1,train\n0.3,0.4,0,test\n")
        assert response.json() == {"points": 2, "train": 1, "test": 1}
        assert next_event(ws, "state")["config"]["data"]["dataset"] == "custom"
        header, arrays = next_frame(ws)
        while header["n_train"] + header["n_test"] != 2:
            header, arrays = next_frame(ws)
        assert_coords(arrays["stage0/points"], np.array([[0.1, 0.2], [0.3, 0.4]]))


def test_sessions_are_found_only_by_their_id(client: TestClient) -> None:
    assert client.get("/api/sessions/0123456789ab/data.csv").status_code == 404
    assert client.get("/api/sessions/..%2f..%2fetc/data.csv").status_code in (404, 422)
    assert client.post("/api/sessions/NOTANID/data.csv", content=b"").status_code == 422


def test_a_point_past_the_cap_is_refused_and_nothing_changes(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        send(ws, type="configure", changes={"data": {"points": 5000}})
        assert next_event(ws, "state")["config"]["data"]["points"] == 5000
        header, arrays = next_frame(ws)
        while header["n_train"] + header["n_test"] != 5000:
            header, arrays = next_frame(ws)
        send(ws, type="add_point", x=0.1, y=0.2, label=0)
        error = next_event(ws, "error")
        assert "5000 points" in error["message"] and error["field"] == "points"
        x, y = arrays["stage0/points"][0].tolist()
        send(ws, type="remove_point", x=x, y=y)  # removing still works
        next_event(ws, "state")
        while header["n_train"] + header["n_test"] != 4999:
            header, _ = next_frame(ws)
        send(ws, type="add_point", x=0.1, y=0.2, label=0)  # and makes room again
        assert next_event(ws, "state")["config"]["data"]["dataset"] == "custom"


def points_csv(client: TestClient, session: str) -> str:
    return client.get(f"/api/sessions/{session}/data.csv").text


def test_undo_takes_back_each_point_edit_and_brings_the_preset_back(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="step", count=4)
        start = next_event(ws, "state")
        original, config = points_csv(client, session), start["config"]["data"]
        assert start["undo"] == 0 and config["dataset"] != "custom"
        send(ws, type="add_point", x=0.3, y=-0.2, label=1)
        send(ws, type="remove_point", x=5.0, y=5.0)
        send(ws, type="clear_points")
        states = [next_event(ws, "state") for _ in range(3)]
        assert [s["undo"] for s in states] == [1, 2, 3]
        assert points_csv(client, session) == "x,y,label,split\n"
        cleared_at = states[-1]["step"]
        # CSV import is a point edit too.
        client.post(f"/api/sessions/{session}/data.csv", content=b"x,y,label\n0.5,0.5,0\n")
        assert next_event(ws, "state")["undo"] == 4
        seen = []
        for _ in range(4):
            send(ws, type="undo_points")
            seen.append((next_event(ws, "state"), points_csv(client, session)))
        assert seen[0][1] == "x,y,label,split\n"  # before the import: cleared
        assert len(seen[1][1].splitlines()) == 1 + 400  # before clearing: 401 minus one removed
        assert len(seen[2][1].splitlines()) == 1 + 401  # before the removal
        state, csv = seen[3]
        assert csv == original  # exactly the points of the preset, in order
        assert state["config"]["data"] == config  # the preset is back, not "custom"
        assert state["undo"] == 0 and state["step"] == cleared_at  # the network stayed
        send(ws, type="undo_points")
        assert next_event(ws, "error")["message"] == "there is no change of the points to undo"


def test_undo_is_bounded_and_a_new_dataset_forgets_it(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        for i in range(55):
            send(ws, type="add_point", x=0.01 * i, y=0.0, label=0)
        states = [next_event(ws, "state") for _ in range(55)]
        assert states[-1]["undo"] == 50
        send(ws, type="configure", changes={"data": {"dataset": "circles"}})
        assert next_event(ws, "state")["undo"] == 0
        send(ws, type="undo_points")
        assert "no change of the points" in next_event(ws, "error")["message"]
