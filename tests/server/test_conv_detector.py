"""The lecture's hand-built C-versus-D detector (engine.conv.detector): its accuracy, where its
maps respond, set_readout through the socket, and "let it learn" from the hand-set start."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from engine.conv.detector import (
    CHANNELS,
    INK,
    MARGIN,
    PAPER,
    build_detector,
    readout_weights,
    templates,
)
from engine.conv.schemas import ConvConfig, SetReadout
from engine.conv.session import ConvSession
from engine.errors import Refused
from nets.conv import SharedConv
from nets.signals import GLYPHS, keypoints
from server.app import create_app
from server.settings import Settings
from tests.server.wsutil import Frame, next_event, next_frame, send

SEEDS = (0, 1, 2)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def detector(seed: int = 0, **data: Any) -> ConvSession:
    session = ConvSession(ConvConfig.model_validate({"data": {"seed": seed, **data}}))
    build_detector(session)
    return session


def group_peaks(session: ConvSession) -> dict[str, np.ndarray]:
    """Each group's largest activation over every test image: (n,) per group."""
    with torch.no_grad():
        maps = session.net.stages(torch.from_numpy(session.test.x))[2]  # conv, then ReLU
    peaks = maps.flatten(2).amax(2).numpy()
    groups = list(CHANNELS.values())
    return {
        group: peaks[:, [i for i, g in enumerate(groups) if g == group]].max(axis=1)
        for group in set(groups)
    }


# -- the net by hand --------------------------------------------------------------------------
def test_build_detector_sets_the_layer_and_the_classifier_by_hand() -> None:
    session = detector()
    model = session.config.model
    assert session.config.data.glyphs == ["C", "D"] and model.readout == "avg"
    assert [(layer.channels, layer.kernel) for layer in model.layers] == [(3, 7)]
    assert session.trainer.step_count == 0
    layer = session.net.conv_layers()[0]
    assert isinstance(layer, SharedConv)
    for channel, kernel in enumerate(templates().values()):
        assert np.array_equal(layer.weight[channel, 0].detach().numpy(), kernel)
    linear = session.net.body[-1]
    assert isinstance(linear, torch.nn.Linear)
    assert linear.weight.tolist() == readout_weights() and linear.bias.tolist() == [0.0, 0.0]
    # C's row: endpoints count for, corners against; D's the reverse.
    c_row, d_row = readout_weights()
    for value, group in zip(c_row, CHANNELS.values(), strict=True):
        assert (value > 0) == (group == "endpoint")
    assert d_row == [-v for v in c_row]


def test_the_templates_are_drawings_of_an_end_and_two_corners() -> None:
    found = templates()
    assert list(found) == list(CHANNELS)
    for kernel in found.values():
        assert kernel.shape == (7, 7) and set(np.unique(kernel)) <= {INK, PAPER, MARGIN}
    end, top, bottom = found["endpoint"], found["top corner"], found["bottom corner"]
    assert np.array_equal(end[3, :4], [INK] * 4) and np.all(end[3, 5:] < 0)  # stops at the centre
    assert np.all(top[3, 3:] == INK) and np.all(top[3:, 3] == INK)  # ┌: right and down
    assert np.array_equal(bottom, top[::-1])  # └


@pytest.mark.parametrize("seed", SEEDS)
def test_the_hand_built_net_classifies_every_generated_c_and_d(seed: int) -> None:
    # Every one of the 400 images of the default data, for seeds 0, 1 and 2 (seeds 3..9:
    # 99.5 % to 100 %, the worst of training and test).
    metrics = detector(seed).trainer.metrics()
    assert metrics.test_acc == 1.0 and metrics.train_acc == 1.0


def test_the_hand_built_net_holds_without_noise_and_on_larger_images() -> None:
    # Measured (seeds 0..2): noise 0, 100 % each; size 20, 100 %, 100 %, 99.5 %.
    for data in ({"noise": 0.0}, {"size": 20}):
        assert detector(0, **data).trainer.metrics().test_acc >= 0.98, data


def test_the_maps_respond_where_the_glyphs_have_their_ends_and_corners() -> None:
    ends = {name: keypoints(GLYPHS[name])[0] for name in ("C", "D")}
    corners = {name: keypoints(GLYPHS[name])[1] for name in ("C", "D")}
    assert ends["C"] > ends["D"] and corners["D"] > corners["C"]
    for seed in SEEDS:
        session = detector(seed)
        peaks, labels = group_peaks(session), session.test.labels
        is_c, is_d = labels == 0, labels == 1
        # Measured: the endpoint channel peaks at 2.3 over a C, 0.4 over a D (noise); the
        # corner channels at 2.8 over a D, 1.8 over a C (a C's curves half match a corner).
        assert peaks["endpoint"][is_c].mean() > 3 * peaks["endpoint"][is_d].mean()
        assert peaks["corner"][is_d].mean() > 1.3 * peaks["corner"][is_c].mean()
        assert (peaks["endpoint"][is_c] > 0).all()  # every C shows an end


def test_what_the_readout_adds_up_is_the_ends_of_a_c_and_the_corners_of_a_d() -> None:
    # Without noise, measured (seed 0): the endpoint map sums to 19.2 over a C and 0.4 over a
    # D (a D's arc brushes it where it turns down); the corner maps to 10.0 over a D, 6.4 over
    # a C. The readout weighs these sums equally, so a C wins by its ends, a D by its corners.
    session = detector(0, noise=0.0)
    with torch.no_grad():
        maps = session.net.stages(torch.from_numpy(session.test.x))[2]
    sums = maps.flatten(2).sum(2).numpy()
    groups = np.array(list(CHANNELS.values()))
    ends = sums[:, groups == "endpoint"].sum(1)
    corners = sums[:, groups == "corner"].sum(1)
    is_c, is_d = session.test.labels == 0, session.test.labels == 1
    assert ends[is_c].mean() > 10 * ends[is_d].mean()
    assert corners[is_d].mean() > 1.3 * corners[is_c].mean()
    assert np.all((ends > corners) == is_c)  # every image: the right letter wins


def test_set_readout_refuses_a_wrong_shape_and_changes_nothing() -> None:
    session = detector()
    linear = session.net.body[-1]
    assert isinstance(linear, torch.nn.Linear)
    before = [p.detach().clone() for p in (linear.weight, linear.bias)]
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"weight": [[1.0, 2.0, 3.0]]}, "weight"),  # one row, two classes
        ({"weight": [[1.0, 2.0], [3.0, 4.0]]}, "weight"),  # two numbers, three features
        ({"weight": [[1.0, 2.0, 3.0], [4.0, 5.0]]}, "weight"),  # ragged
        ({"weight": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "bias": [1.0]}, "bias"),
    ]
    for fields, field in wrong:
        message = SetReadout.model_validate({"type": "set_readout", **fields})
        with pytest.raises(Refused) as refused:
            session.set_readout(message)
        assert refused.value.field == field, fields
    after = [linear.weight, linear.bias]
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))


# -- set_readout through the socket ---------------------------------------------------------------
@pytest.fixture(scope="module")
def conv_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("detector")
    with TestClient(create_app(Settings(device="cpu", data_dir=data))) as client:
        yield client


@pytest.fixture
def ws(conv_client: TestClient) -> Iterator[tuple[WebSocketTestSession, int]]:
    """A conv socket past its hello and first frame, and how many features its readout has."""
    with conv_client.websocket_connect("/ws/conv") as socket:
        next_event(socket, "hello")
        readout, _ = readout_and_logits(next_frame(socket))
        yield socket, len(readout)


def readout_and_logits(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    header, arrays = frame
    kinds = [stage["kind"] for stage in header["stages"]]
    return arrays[f"stage/{kinds.index('readout')}"], arrays[f"stage/{kinds.index('logits')}"]


def weights(features: int) -> list[list[float]]:
    """Two rows (the default data's two classes) of distinct weights, one per feature."""
    return [[round(3 * float(np.sin(3 * c + j + 1)), 3) for j in range(features)] for c in (0, 1)]


BIAS = [0.5, -0.5]


def assert_logits_follow(frame: Frame, weight: list[list[float]], bias: list[float]) -> None:
    """The frame's logits are ``weight`` times its readout plus ``bias``."""
    readout, logits = readout_and_logits(frame)
    assert np.any(readout != 0)
    expected = np.array(weight, dtype=np.float32) @ readout + np.array(bias, dtype=np.float32)
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-5)


def test_set_readout_through_the_socket_sets_exactly_those_weights(
    ws: tuple[WebSocketTestSession, int],
) -> None:
    socket, features = ws
    send(socket, type="set_readout", weight=weights(features), bias=BIAS)
    assert next_event(socket, "state")["step"] == 0
    assert_logits_follow(next_frame(socket), weights(features), BIAS)
    # bias null keeps the biases
    send(socket, type="set_readout", weight=[[0.0] * features] * 2, bias=None)
    next_event(socket, "state")
    np.testing.assert_allclose(readout_and_logits(next_frame(socket))[1], BIAS, atol=1e-7)


def bad_messages(features: int) -> list[tuple[dict[str, Any], str]]:
    zeros = [[0.0] * features] * 2
    return [
        ({"weight": zeros[:1]}, "weight"),  # one row for two classes
        ({"weight": [[0.0] * (features + 1)] * 2}, "weight"),  # a feature too many
        ({"weight": [[0.0] * features, [0.0] * (features - 1)]}, "weight"),  # ragged
        ({"weight": zeros, "bias": [0.0, 0.0, 0.0]}, "bias"),
        ({"weight": [[1.0, "a", *zeros[0][2:]], zeros[1]]}, "weight.0.1"),
        ({"weight": [[11.0, *zeros[0][1:]], zeros[1]]}, "weight.0.0"),
        ({"weight": [[True, *zeros[0][1:]], zeros[1]]}, "weight.0.0"),
        ({"weight": "wide"}, "weight"),
        ({"weight": zeros, "bias": "none"}, "bias"),
        ({}, "weight"),
        ({"weight": zeros, "extra": 1}, "extra"),
    ]


@pytest.mark.parametrize("case", range(11))
def test_a_bad_set_readout_is_an_error_naming_the_field_and_changes_nothing(
    ws: tuple[WebSocketTestSession, int], case: int
) -> None:
    socket, features = ws
    fields, field = bad_messages(features)[case]
    send(socket, type="set_readout", weight=weights(features), bias=BIAS)
    next_event(socket, "state")
    next_frame(socket)
    send(socket, type="set_readout", **fields)
    error = next_event(socket, "error")
    assert error["field"] == field and field in error["message"], error
    send(socket, type="ping")
    assert next_event(socket, "pong")["type"] == "pong"  # the session lives on
    send(socket, type="pause")  # changes nothing; draws a frame
    next_event(socket, "state")
    assert_logits_follow(next_frame(socket), weights(features), BIAS)


# -- let it learn -------------------------------------------------------------------------------
def test_let_it_learn_from_the_hand_built_start_stays_above_95_percent() -> None:
    # Measured (seeds 0..2): the hand-built start is at 100 % (0 steps to 95 %) and stays at
    # 99.5 % or more over 300 steps of adam (lr 0.01, batches of 32), its test loss falling
    # from 0.36 to 0.006. The same net from a random start needs 100, 180 and 20 steps.
    session = detector(0)
    start = session.trainer.metrics()
    assert start.test_acc >= 0.95
    for _ in range(10):
        session.step(10)
        metrics = session.trainer.metrics()
        assert metrics.test_acc >= 0.95, metrics
    assert metrics.test_loss < start.test_loss / 2  # it learns: more confident, still right


def test_from_scratch_the_same_net_starts_far_below_the_hand_built_one() -> None:
    hand = detector(0)
    scratch = ConvSession(hand.config)  # the same config, its own random weights
    assert scratch.trainer.metrics().test_acc < 0.9 <= hand.trainer.metrics().test_acc


def test_let_it_learn_on_noisier_glyphs_reaches_95_percent_from_the_hand_built_start() -> None:
    # Noise 0.3, measured (seeds 0..2): the hand-built net starts at 89 %, 89.5 % and 85 % and
    # reaches 95 % after 30, 30 and 20 steps; from scratch the same net had not within 600
    # steps for seeds 0 and 1, and needed 430 for seed 2. Checked every 10 steps, up to 100.
    session = detector(0, noise=0.3)
    assert session.trainer.metrics().test_acc < 0.95
    reached = None
    while session.trainer.step_count < 100:
        session.step(10)
        if session.trainer.metrics().test_acc >= 0.95:
            reached = session.trainer.step_count
            break
    assert reached is not None
