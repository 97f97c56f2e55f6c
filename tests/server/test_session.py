"""Oracle tests: what a frame carries is what the network computes."""

import numpy as np
import pytest
import torch

from engine.encoding import decode_frame
from engine.errors import Refused
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from nets.probe import grid_lines, region_points
from tests.oracle import assert_conf, assert_coords


def make(changes: dict[str, dict[str, object]] | None = None) -> Session:
    return Session(merge_config(ExperimentConfig(), changes or {}), torch.device("cpu"))


@pytest.mark.parametrize("width", [1, 2, 5])
def test_frame_points_and_grids_equal_the_model_cut_at_each_stage(width: int) -> None:
    session = make({"model": {"width": width, "depth": 2}, "view": {"grid_lines": 5}})
    session.train(7)
    header, arrays = decode_frame(session.frame())
    net = session.net
    x = torch.from_numpy(session.data.x)
    lines = grid_lines(session.extent, 5, header["grid"]["samples"])
    assert len(header["stages"]) == net.n_stages == 6
    with torch.no_grad():
        for stage in header["stages"]:
            k = stage["index"]
            cut = net[:k]
            want = cut(x).numpy()
            want_grid = cut(torch.from_numpy(lines.reshape(-1, 2))).numpy()
            units = stage["units"]
            cols = [u for u in units if u is not None]
            got = arrays[f"stage{k}/points"]
            got_grid = arrays[f"stage{k}/grid"].reshape(-1, 2)
            assert_coords(got[:, : len(cols)], want[:, cols])
            assert_coords(got_grid[:, : len(cols)], want_grid[:, cols])
            if units[1] is None:
                assert np.all(got[:, 1] == 0)
    np.testing.assert_array_equal(arrays["labels"], session.data.y)
    with torch.no_grad():
        np.testing.assert_array_equal(arrays["pred"], net(x).argmax(1).numpy())


def test_frame_regions_equal_the_network_on_the_region_grid() -> None:
    session = make({"view": {"region_resolution": 10}})
    session.train(20)
    header, arrays = decode_frame(session.frame())
    xs, ys = arrays["region/x"], arrays["region/y"]
    assert xs[0] > header["extent"][0] and xs[-1] < header["extent"][1]
    with torch.no_grad():
        probs = torch.softmax(session.net(torch.from_numpy(region_points(xs, ys))), 1).numpy()
    np.testing.assert_array_equal(arrays["region/label"], probs.argmax(1).reshape(10, 10))
    assert_conf(arrays["region/conf"], probs.max(1).reshape(10, 10), 2)


def test_frame_header_describes_the_experiment() -> None:
    session = make({"data": {"dataset": "spiral", "classes": 3, "points": 90}})
    session.train(3)
    header, arrays = decode_frame(session.frame())
    m = session.metrics()
    assert header["step"] == 3 and header["classes"] == 3
    assert header["n_train"] + header["n_test"] == 90 == len(arrays["labels"])
    assert header["metrics"]["test_acc"] == pytest.approx(m.test_acc, rel=1e-6)
    kinds = [s["kind"] for s in header["stages"]]
    assert kinds == ["input"] + ["affine", "fold"] * 3 + ["output"]


def test_configure_rebuilds_only_what_changed() -> None:
    session = make()
    session.train(5)
    generation = session.generation
    weights = [p.detach().clone() for p in session.net.parameters()]
    session.configure(merge_config(session.config, {"train": {"lr": 0.001}}))
    assert session.generation == generation and session.step == 5
    assert all(torch.equal(a, b) for a, b in zip(weights, session.net.parameters(), strict=True))
    first_layer = session.net.linear(1).weight.detach().clone()
    session.configure(merge_config(session.config, {"model": {"depth": 1}}))
    assert session.generation == generation + 1 and session.step == 0
    assert session.net.depth == 1
    assert torch.equal(session.net.linear(1).weight, first_layer)  # its shape did not change
    session.configure(merge_config(session.config, {"model": {"init": "zero"}}))
    assert torch.all(session.net.linear(1).weight == 0)  # a new initialisation starts afresh
    x_before = session.data.x
    session.configure(merge_config(session.config, {"data": {"seed": 9}}))
    assert not np.array_equal(x_before, session.data.x)


def test_reset_restores_the_seeded_start() -> None:
    session = make()
    first = [p.detach().clone() for p in session.net.parameters()]
    session.train(10)
    session.reset()
    assert session.step == 0
    assert all(torch.equal(a, b) for a, b in zip(first, session.net.parameters(), strict=True))


def test_diverged_metrics_travel_as_null() -> None:
    session = make()
    with torch.no_grad():
        next(session.net.parameters()).fill_(float("nan"))
    header, _ = decode_frame(session.frame())
    assert header["metrics"]["train_loss"] is None


def test_a_hand_set_weight_changes_the_stages_exactly() -> None:
    session = make({"model": {"depth": 2}})
    session.set_weight(2, 1, 0, 1.75)
    session.set_weight(2, 0, None, -0.5)
    linear = session.net.linear(2)
    assert float(linear.weight.detach()[1, 0]) == 1.75 and float(linear.bias.detach()[0]) == -0.5
    header, arrays = decode_frame(session.frame())
    x = torch.from_numpy(session.data.x)
    with torch.no_grad():
        fold1 = session.net[:2](x)
        want = fold1 @ linear.weight.T + linear.bias
    assert_coords(arrays["stage3/points"], want.numpy())
    assert header["layers"][1]["weight"][1][0] == 1.75


@pytest.mark.parametrize(
    ("args", "field"),
    [((4, 0, 0, 1.0), "layer"), ((1, 2, 0, 1.0), "row"), ((2, 0, 5, 1.0), "col")],
)
def test_a_weight_that_does_not_exist_is_refused_by_name(
    args: tuple[int, int, int, float], field: str
) -> None:
    session = make({"model": {"depth": 2}})
    with pytest.raises(Refused) as refused:
        session.set_weight(*args)
    assert refused.value.field == field and refused.value.allowed


def test_frames_carry_epochs_and_layer_stats() -> None:
    session = make({"train": {"batch_size": 20}})
    session.train(30)
    header, _ = decode_frame(session.frame())
    assert header["epoch"] == pytest.approx(30 * 20 / 200)
    stats = header["layer_stats"]
    assert len(stats["grad_norm"]) == len(stats["update_ratio"]) == 4
    assert session.trainer.stats is not None
    assert stats["update_ratio"] == pytest.approx(session.trainer.stats.update_ratio, rel=1e-6)


def test_widths_layer_by_layer_override_width_and_depth() -> None:
    session = make({"model": {"widths": [4, 2, 3], "width": 8, "depth": 1}})
    assert session.net.widths == (4, 2, 3)
    assert [s.width for s in session.net.stage_info()] == [2, 4, 4, 2, 2, 3, 3, 2]


def test_a_whole_layer_set_by_hand_is_what_the_stages_compute() -> None:
    session = make({"model": {"depth": 1}})
    w, b = [[0.0, -1.0], [2.0, 0.5]], [0.25, -0.5]
    session.set_layer(1, w, b)
    header, arrays = decode_frame(session.frame())
    x = session.data.x.astype(np.float64)
    want = x @ np.array(w).T + np.array(b)
    assert_coords(arrays["stage1/points"], want)
    assert_coords(arrays["stage2/points"], np.maximum(want, 0))
    layer = header["layers"][0]
    assert layer["weight"] == w and layer["bias"] == b
    assert layer["decomposition"]["det"] == pytest.approx(2.0)
    shear = layer["shear"]
    assert shear["sx"] == pytest.approx(2.0) and shear["angle"] == pytest.approx(np.pi / 2)


@pytest.mark.parametrize(
    ("weight", "bias", "field"),
    [
        ([[1.0, 2.0]], None, "weight"),
        ([[1.0], [2.0]], None, "weight"),
        (None, [1.0], "bias"),
    ],
)
def test_a_layer_of_the_wrong_shape_is_refused(
    weight: list[list[float]] | None, bias: list[float] | None, field: str
) -> None:
    session = make()
    before = session.net.linear(1).weight.detach().clone()
    with pytest.raises(Refused) as refused:
        session.set_layer(1, weight, bias)
    assert refused.value.field == field
    assert torch.equal(session.net.linear(1).weight, before)


def test_small_layers_always_carry_their_weights_and_big_ones_with_the_diagram() -> None:
    header, _ = decode_frame(make({"model": {"width": 3}}).frame())
    assert [len(layer["weight"]) for layer in header["layers"]] == [3, 3, 3, 2]
    header, _ = decode_frame(make({"model": {"width": 16}}).frame())  # 32, 256, 256, 32 weights
    assert ["weight" in layer for layer in header["layers"]] == [True, False, False, True]
    session = make({"model": {"width": 16}, "view": {"units": True}})
    header, _ = decode_frame(session.frame())
    assert all("weight" in layer for layer in header["layers"])
    np.testing.assert_allclose(
        header["layers"][1]["weight"], session.net.linear(2).weight.detach().numpy(), rtol=1e-6
    )
