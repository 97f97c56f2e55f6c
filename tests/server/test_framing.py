"""Oracle tests for the per-stage views of a frame: regions, projections, folds, layer maps."""

from typing import Any

import numpy as np
import pytest
import torch

from engine.encoding import decode_frame
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from nets.linalg import Decomposition
from nets.probe import region_axes, region_points
from tests.oracle import assert_conf, assert_coords, flatness_by_svd, merged_by_pairs


def frame_of(
    changes: dict[str, dict[str, Any]], steps: int = 30
) -> tuple[Session, dict[str, Any], dict[str, np.ndarray]]:
    session = Session(merge_config(ExperimentConfig(), changes), torch.device("cpu"))
    session.train(steps)
    header, arrays = decode_frame(session.frame())
    return session, header, arrays


def stage_values(session: Session, k: int) -> np.ndarray:
    with torch.no_grad():
        values: np.ndarray = session.net[:k](torch.from_numpy(session.data.x)).numpy()
    return values


def test_every_two_wide_stage_has_the_regions_of_the_rest_of_the_network() -> None:
    session, header, arrays = frame_of({"model": {"depth": 2}, "view": {"region_resolution": 12}})
    with_regions = [s for s in header["stages"] if s["regions"]]
    assert len(with_regions) == len(header["stages"]) == 6
    for stage in with_regions:
        k = stage["index"]
        prefix = "region" if k == 0 else f"stage{k}/region"
        xs, ys = arrays[f"{prefix}/x"], arrays[f"{prefix}/y"]
        xmin, xmax, ymin, ymax = stage["extent"]
        assert xmin < xs[0] < xs[-1] < xmax and ymin < ys[0] < ys[-1] < ymax
        with torch.no_grad():
            logits = session.net[k:](torch.from_numpy(region_points(xs, ys)))
            probs = torch.softmax(logits, dim=1).numpy()
        np.testing.assert_array_equal(arrays[f"{prefix}/label"].ravel(), probs.argmax(1))
        assert_conf(arrays[f"{prefix}/conf"].ravel(), probs.max(1), 2)
        points = arrays[f"stage{k}/points"]
        assert np.all((points[:, 0] >= xmin) & (points[:, 0] <= xmax))


def test_regions_can_be_switched_off_except_in_the_input_plane() -> None:
    _, header, arrays = frame_of({"view": {"regions": False}})
    assert [s["regions"] for s in header["stages"]] == [True] + [False] * 7
    assert "stage1/region/label" not in arrays and "region/label" in arrays


def test_the_classifier_boundary_is_a_line_in_its_input_plane() -> None:
    session, header, _ = frame_of({"model": {"depth": 3}}, steps=60)
    last_fold = header["stages"][-2]
    a, b, c = last_fold["boundary"]
    z = stage_values(session, last_fold["index"])
    with torch.no_grad():
        predicted = session.net(torch.from_numpy(session.data.x)).argmax(1).numpy()
    np.testing.assert_array_equal((a * z[:, 0] + b * z[:, 1] + c > 0).astype(int), predicted)
    assert all("boundary" not in s for s in header["stages"][:-2])


def test_layer_maps_carry_the_decomposition_of_every_2x2_weight() -> None:
    session, header, _ = frame_of({"model": {"depth": 2}})
    linears = [m for m in session.net.body if isinstance(m, torch.nn.Linear)]
    assert [entry["shape"] for entry in header["layers"]] == [[2, 2]] * 3
    for entry, linear in zip(header["layers"], linears, strict=True):
        d = entry["decomposition"]
        rebuilt = Decomposition(d["angle_in"], d["reflect"], tuple(d["scales"]), d["angle_out"])
        # Each of the four numbers is sent to 7 significant digits (engine/encoding.py): the
        # matrix rebuilt from them is within a few parts in 10^7 of its largest stretch.
        tolerance = 2e-6 * max(d["scales"])
        np.testing.assert_allclose(
            rebuilt.matrix(), linear.weight.detach().numpy(), rtol=0, atol=tolerance
        )
        np.testing.assert_allclose(entry["bias"], linear.bias.detach().numpy(), atol=1e-7)
    assert header["layers"][-1]["output"] is True


def test_wide_layers_have_no_decomposition() -> None:
    _, header, _ = frame_of({"model": {"width": 5, "depth": 1}})
    assert [e["shape"] for e in header["layers"]] == [[5, 2], [2, 5]]
    assert all("decomposition" not in e for e in header["layers"])


def test_every_fold_reports_its_flat_dead_and_merged_points() -> None:
    session, header, arrays = frame_of(
        {"data": {"dataset": "spiral", "points": 300}, "model": {"depth": 4}}, steps=300
    )
    labels = session.data.y
    folds = [s for s in header["stages"] if s["kind"] == "fold"]
    assert [f["stage"] for f in header["folds"]] == [s["index"] for s in folds]
    assert [f["layer"] for f in header["folds"]] == [1, 2, 3, 4]
    for stage, fold in zip(folds, header["folds"], strict=True):
        folded = stage_values(session, stage["index"])
        dead = np.all(folded == 0, axis=1)
        merged = merged_by_pairs(folded, labels)
        np.testing.assert_array_equal(arrays[f"stage{stage['index']}/dead"], dead)
        np.testing.assert_array_equal(arrays[f"stage{stage['index']}/merged"], merged)
        assert fold["dead_share"] == pytest.approx(dead.mean(), rel=1e-6)
        assert fold["flat_share"] == pytest.approx(np.any(folded == 0, axis=1).mean(), rel=1e-6)
        assert fold["merged_share"] == pytest.approx(merged.mean(), rel=1e-6)
        assert fold["dead_units"] == [u for u in range(2) if np.all(folded[:, u] == 0)]
        assert fold["flatness"] == pytest.approx(flatness_by_svd(folded), rel=1e-6, abs=1e-9)
    assert any(f["merged_share"] > 0 for f in header["folds"])
    assert all("dead_share" not in s for s in header["stages"])  # header.folds holds it


def test_tanh_nets_report_merged_points_but_no_deaths() -> None:
    session, header, arrays = frame_of({"model": {"activation": "tanh"}})
    assert not any(name.endswith("/dead") for name in arrays)
    for fold in header["folds"]:
        assert fold["flat_share"] is fold["dead_share"] is fold["dead_units"] is None
        merged = merged_by_pairs(stage_values(session, fold["stage"]), session.data.y)
        np.testing.assert_array_equal(arrays[f"stage{fold['stage']}/merged"], merged)
        assert fold["merged_share"] == pytest.approx(merged.mean(), rel=1e-6)


def test_regression_nets_merge_nothing() -> None:
    _, header, arrays = frame_of({"data": {"dataset": "plane"}})
    assert len(header["folds"]) == 3 and not any(name.endswith("/merged") for name in arrays)
    assert all(f["merged_share"] is None and f["dead_share"] is not None for f in header["folds"])


def test_a_pair_of_units_is_drawn_for_wide_stages() -> None:
    session, header, arrays = frame_of(
        {"model": {"width": 6, "depth": 2}, "view": {"pair": [4, 2]}}
    )
    for stage in header["stages"][1:-1]:
        assert stage["projection"] == "pair" and stage["units"] == [4, 2]
        assert stage["regions"] is False
        want = stage_values(session, stage["index"])[:, [4, 2]]
        assert_coords(arrays[f"stage{stage['index']}/points"], want)
    assert header["stages"][0]["projection"] == "plane"


def test_pca_is_shared_by_a_layers_affine_and_fold_and_stays_stable() -> None:
    session, header, arrays = frame_of(
        {"model": {"width": 8, "depth": 2}, "view": {"projection": "pca"}}
    )
    stages = header["stages"]
    for affine, fold in ((stages[1], stages[2]), (stages[3], stages[4])):
        assert affine["projection"] == fold["projection"] == "pca"
        assert affine["basis"] == fold["basis"]
        basis = np.array(fold["basis"])
        np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-4)
        values = stage_values(session, fold["index"])
        want = (values - values.mean(axis=0)) @ basis.T
        np.testing.assert_allclose(arrays[f"stage{fold['index']}/points"], want, atol=1e-3)
    previous = [np.array(s["basis"]) for s in stages[1:5]]
    session.train(1)
    header2, _ = decode_frame(session.frame())
    for old, stage in zip(previous, header2["stages"][1:5], strict=True):
        assert np.all(np.sum(old * np.array(stage["basis"]), axis=1) > 0.9)


def test_three_wide_stages_can_be_drawn_in_3d() -> None:
    session, header, arrays = frame_of(
        {"model": {"width": 3, "depth": 1}, "view": {"projection": "3d"}}
    )
    stage = header["stages"][2]
    assert stage["projection"] == "3d" and stage["units"] == [0, 1, 2]
    assert_coords(arrays["stage2/points"], stage_values(session, 2))
    assert arrays["stage2/grid"].shape[-1] == 3


def test_a_features_stage_is_drawn_like_any_wide_stage() -> None:
    session, header, arrays = frame_of({"model": {"features": ["x1", "x2", "x1^2", "x2^2"]}})
    stage = header["stages"][1]
    assert stage["kind"] == "features" and stage["width"] == 4 and stage["projection"] == "pair"
    assert_coords(arrays["stage1/points"], session.data.x[:, :2])
    assert header["layers"][0]["shape"] == [2, 4] and "decomposition" not in header["layers"][0]


def test_unit_maps_show_each_hidden_unit_over_the_input_plane() -> None:
    session, header, arrays = frame_of(
        {"model": {"widths": [3, 2]}, "view": {"units": True, "unit_resolution": 9}}
    )
    assert [s["width"] for s in header["stages"] if s["kind"] == "fold"] == [3, 2]
    xs, ys = region_axes(tuple(header["extent"]), 9)
    grid = torch.from_numpy(region_points(xs, ys))
    for layer, k in ((1, 2), (2, 4)):
        with torch.no_grad():
            values = session.net[:k](grid).numpy().T.reshape(-1, 9, 9)
        scaled, ranges = arrays[f"units/layer{layer}"], arrays[f"units/layer{layer}/range"]
        assert scaled.shape == values.shape and scaled.dtype == np.uint8
        np.testing.assert_allclose(ranges[:, 0], values.reshape(len(values), -1).min(1), rtol=1e-5)
        low, high = ranges[:, 0, None, None], ranges[:, 1, None, None]
        decoded = low + scaled / 255.0 * np.where(high > low, high - low, 1.0)
        np.testing.assert_allclose(decoded, values, atol=float((high - low).max()) / 255)


def test_unit_maps_are_only_sent_when_asked_for() -> None:
    _, _, arrays = frame_of({})
    assert not any(name.startswith("units/") for name in arrays)


def test_regression_frames_carry_targets_values_and_value_regions() -> None:
    session, header, arrays = frame_of(
        {"data": {"dataset": "bumps"}, "model": {"width": 8}}, steps=50
    )
    assert header["task"] == "regression" and header["classes"] == 1
    assert header["metrics"]["test_acc"] is None and header["metrics"]["test_loss"] > 0
    np.testing.assert_allclose(arrays["targets"], session.data.y)
    x = torch.from_numpy(session.data.x)
    with torch.no_grad():
        np.testing.assert_allclose(
            arrays["pred"], session.net(x)[:, 0].numpy(), rtol=1e-5, atol=1e-6
        )
        grid = torch.from_numpy(region_points(arrays["region/x"], arrays["region/y"]))
        value = session.net(grid)[:, 0].numpy().reshape(arrays["region/value"].shape)
    np.testing.assert_allclose(arrays["region/value"], value, rtol=1e-5, atol=1e-6)
    assert "region/label" not in arrays and "labels" not in arrays
    assert header["stages"][-1]["units"] == [0, None]


def test_regression_learns_the_plane() -> None:
    session, _, _ = frame_of(
        {"data": {"dataset": "plane"}, "model": {"activation": "linear"}}, steps=300
    )
    assert session.metrics().test_loss < 1e-3


def test_a_diverged_network_still_draws_in_every_projection() -> None:
    for projection in ("pair", "pca", "3d"):
        session = Session(
            merge_config(
                ExperimentConfig(),
                {"model": {"width": 3, "depth": 2}, "view": {"projection": projection}},
            ),
            torch.device("cpu"),
        )
        with torch.no_grad():
            for p in session.net.parameters():
                p.fill_(float("nan"))
        header, arrays = decode_frame(session.frame())
        assert header["metrics"]["train_loss"] is None
        assert np.isnan(arrays["stage3/points"]).all()
