"""A server whose sessions train on a GPU: frames, edits, new networks and saved experiments
work as on the CPU, and frames are drawn on the CPU from a copy of the weights
(skipped without a GPU: see tests/device.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from engine.experiment import restore, to_file
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from engine.state import draw
from server.app import create_app
from server.settings import Settings
from tests.device import DEVICE, on_device
from tests.server.test_drawer import assert_same_frame
from tests.server.wsutil import next_event, next_frame, send

pytestmark = on_device


def test_a_session_on_the_device_draws_what_its_weights_give() -> None:
    config = merge_config(
        ExperimentConfig(), {"model": {"width": 5}, "view": {"projection": "pca", "units": True}}
    )
    session = Session(config, DEVICE)
    session.train(20)
    assert next(session.net.parameters()).device.type == DEVICE.type
    for _ in range(2):
        drawn, memory = draw(session.copy_state())
        assert_same_frame(session.frame(), drawn)
        session.remember(memory)
        session.train(5)
    session.set_weight(1, 0, 1, 0.25)
    assert float(session.net.linear(1).weight[0, 1].detach()) == 0.25
    session.configure(merge_config(session.config, {"model": {"width": 3}}))  # keeps layers
    session.train(5)
    assert next(session.net.parameters()).device.type == DEVICE.type
    twin = Session(ExperimentConfig(), DEVICE)
    restore(twin, to_file(session))
    for a, b in zip(session.net.parameters(), twin.net.parameters(), strict=True):
        np.testing.assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())


def test_a_server_on_the_device_streams_training(tmp_path: Path) -> None:
    settings = Settings(device=DEVICE.type, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").json()["device"].startswith(DEVICE.type)
        with client.websocket_connect("/ws") as ws:
            next_event(ws, "hello")
            send(ws, type="play")
            headers = [next_frame(ws)[0] for _ in range(4)]
            assert headers[-1]["step"] > headers[0]["step"]
            send(ws, type="configure", changes={"model": {"width": 8, "depth": 2}})
            for _ in range(50):
                header, arrays = next_frame(ws)
                if header["generation"] > headers[-1]["generation"]:
                    break
            assert [s["width"] for s in header["stages"]] == [2, 8, 8, 8, 8, 2]
            assert arrays["stage3/points"].shape == (400, 2)
            assert np.isfinite(arrays["stage3/points"]).all()
