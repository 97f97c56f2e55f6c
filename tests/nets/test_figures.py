"""The notebook figures carry what the network computes: each stage's points and grid are
net[:k] of the input's, the regions are the rest of the network's decision, the morph follows
the layer's own decomposition. Figures are drawn from a frame's exact arrays: they match the
model to float32's rounding, and no check allows more than the page's uint16 step
(tests/oracle.py)."""

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
import torch

from nets.linalg import affine_path, decompose
from nets.probe import grid_lines, region_axes, region_points
from spacefold import Experiment, decomposition, focus, losses, morph, stage_strip
from spacefold.regions import region_rgb
from tests.live_server import ROOT
from tests.oracle import assert_conf, assert_coords, merged_by_pairs


@pytest.fixture(scope="module")
def trained() -> Experiment:
    exp = Experiment.from_config(data={"dataset": "moons", "points": 120, "seed": 3})
    return exp.train(60, record_every=20)


def stage_values(exp: Experiment, x: np.ndarray) -> list[np.ndarray]:
    """The oracle: every stage net[:k](x), straight from the model."""
    with torch.no_grad():
        exp.net.eval()
        out: list[np.ndarray] = [
            s.numpy() for s in exp.net.stages(torch.as_tensor(x, dtype=torch.float32))
        ]
        return out


def traces(fig: Any, **meta: Any) -> list[Any]:
    return [
        t
        for t in fig.data
        if isinstance(t.meta, dict) and all(t.meta.get(k) == v for k, v in meta.items())
    ]


def drawn_points(fig: Any, n: int, **meta: Any) -> np.ndarray:
    """The (n, 2) points drawn by the point traces matching ``meta``, by point index."""
    out = np.full((n, 2), np.nan)
    for t in traces(fig, role="points", **meta):
        out[np.asarray(t.customdata, int)] = np.stack([t.x, t.y], axis=1)
    return out


def drawn_grid(fig: Any, **meta: Any) -> np.ndarray:
    (t,) = traces(fig, role="grid", **meta)
    xy = np.stack([np.asarray(t.x, float), np.asarray(t.y, float)], axis=1)
    finite: np.ndarray = xy[np.isfinite(xy).all(axis=1)]
    return finite


def test_every_stage_of_the_strip_is_net_up_to_that_stage(trained: Experiment) -> None:
    fig = stage_strip(trained)
    x = trained.data.x
    want = stage_values(trained, x)
    cfg = trained.config.view
    lines = grid_lines(trained.session.extent, cfg.grid_lines, cfg.grid_samples)
    want_grid = stage_values(trained, lines.reshape(-1, 2))
    assert len(want) == 8  # input, 3 × (affine, fold), output
    for k in range(len(want)):
        assert_coords(drawn_points(fig, len(x), stage=k), want[k])
        assert_coords(drawn_grid(fig, stage=k), want_grid[k])
    test_points = [t for t in traces(fig, role="points", stage=0) if "test" in t.name]
    assert sum(len(t.x) for t in test_points) == len(trained.data.y_test)


def test_the_regions_are_the_rest_of_the_networks_decision(trained: Experiment) -> None:
    frame = trained.frame()
    k = 4  # fold 2: the regions are net[4:] applied to a grid over that stage's box
    res = trained.config.view.stage_region_resolution
    xs, ys = region_axes(frame.extent(k), res)
    with torch.no_grad():
        logits = trained.net[k:](torch.as_tensor(region_points(xs, ys)))
        conf, label = torch.softmax(logits, dim=1).max(dim=1)
    regions = frame.regions(k)
    assert regions is not None and regions.label is not None and regions.conf is not None
    differ = regions.label.ravel() != label.numpy()
    assert not differ[conf.numpy() > 0.501].any()  # only a tie may go either way
    assert_conf(regions.conf.ravel(), conf.numpy(), 2)
    assert len(set(label.tolist())) == 2  # both classes show: the test can tell them apart
    (image,) = traces(focus(frame, k), role="regions")
    assert np.array_equal(np.asarray(image.z), region_rgb(regions, 2))
    assert image.x0 == pytest.approx(xs[0]) and image.y0 == pytest.approx(ys[0])


def test_the_frame_and_figures_carry_each_folds_merged_points() -> None:
    lecture = Experiment.from_preset("lecture").train(300)  # 4 × 2 on the spiral: it merges
    frame = lecture.frame()
    want = stage_values(lecture, lecture.data.x)
    labels = lecture.data.y
    assert [fold["stage"] for fold in frame.folds] == [2, 4, 6, 8]
    for fold in frame.folds:
        merged = frame.merged(fold["stage"])
        assert merged is not None
        np.testing.assert_array_equal(merged, merged_by_pairs(want[fold["stage"]], labels))
        assert fold["merged_share"] == pytest.approx(merged.mean())
        marks = traces(focus(frame, fold["stage"]), role="merged")
        drawn = np.concatenate([np.asarray(t.x) for t in marks]) if marks else np.zeros(0)
        np.testing.assert_array_equal(drawn, frame.points(fold["stage"])[merged == 1, 0])
    assert frame.merged(3) is None  # an affine stage
    assert any(fold["merged_share"] > 0 for fold in frame.folds)


def test_a_wide_stage_is_drawn_on_the_chosen_pair_of_units() -> None:
    exp = Experiment.from_config(
        data={"points": 60}, model={"width": 5, "depth": 1}, view={"pair": [3, 1]}
    )
    fig = focus(exp, 2)
    want = stage_values(exp, exp.data.x)[2][:, [3, 1]]
    assert_coords(drawn_points(fig, 60, stage=2), want)
    assert not traces(fig, role="regions")  # no regions on a projection


def test_the_morph_follows_the_layers_own_decomposition(trained: Experiment) -> None:
    fig = morph(trained, layer=2, per_step=4)
    x = trained.data.x
    want = stage_values(trained, x)
    names = [f.name for f in fig.frames]
    assert names[0] == "2.00" and names[-1] == "4.00" and len(names) == 9

    def at(name: str) -> np.ndarray:
        frame = fig.frames[names.index(name)]
        return drawn_points(frame, len(x))

    linear = trained.net.linear(2)
    w, b = linear.weight.detach().double().numpy(), linear.bias.detach().double().numpy()
    m, c = affine_path(decompose(w), b, 0.5)
    near = 1e-5  # float32 rounding, carried through the map
    np.testing.assert_allclose(at("2.50"), want[2] @ m.T + c, atol=near)  # half of W·x + b
    assert_coords(at("3.00"), want[3])
    np.testing.assert_allclose(at("3.50"), 0.5 * want[3] + 0.5 * want[4], atol=near)  # fold
    assert_coords(at("4.00"), want[4])
    assert not np.allclose(at("2.50"), 0.5 * want[2] + 0.5 * want[3], atol=1e-2)  # not straight
    assert list(fig.layout.sliders[0].steps[-1].args[0]) == ["4.00"]


def test_the_decomposition_ends_at_the_layers_affine_map(trained: Experiment) -> None:
    fig = decomposition(trained, 1)
    want = stage_values(trained, trained.data.x)
    n = len(want[0])
    assert_coords(drawn_points(fig, n, phase=0), want[0])
    np.testing.assert_allclose(drawn_points(fig, n, phase=5), want[1], atol=1e-5, rtol=0)
    d = decompose(trained.net.linear(1).weight.detach().double().numpy())
    assert f"scale {d.scales[0]:.3f} × {d.scales[1]:.3f}" in fig.layout.title.text


def test_a_layer_that_is_not_2x2_has_no_decomposition() -> None:
    exp = Experiment.from_config(data={"points": 40}, model={"width": 3, "depth": 1})
    with pytest.raises(ValueError, match="layer 1 is 3x2"):
        decomposition(exp, 1)
    with pytest.raises(IndexError, match="layer 9 does not exist"):
        decomposition(exp, 9)


def test_the_loss_curves_are_the_metrics_of_every_recorded_step(trained: Experiment) -> None:
    fig = losses(trained)
    steps = [m.step for m in trained.history]
    assert steps == [0, 20, 40, 60]
    (train,) = traces(fig, role="train")
    assert list(train.x) == steps
    assert list(train.y) == pytest.approx([m.train_loss for m in trained.history])
    assert train.y[-1] < train.y[0]


def test_a_saved_experiment_reopens_with_its_points_weights_and_step(
    trained: Experiment, tmp_path: Any
) -> None:
    path = tmp_path / "moons.json"
    trained.save(path)
    again = Experiment.from_file(path)
    assert again.step == 60
    assert np.array_equal(again.data.x, trained.data.x)
    x = trained.data.x
    for k, (a, b) in enumerate(zip(stage_values(again, x), stage_values(trained, x), strict=True)):
        assert np.allclose(a, b, atol=1e-6), k


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not a spacefold experiment"),
        ('{"format": "other"}', "is not a spacefold experiment: format"),
    ],
)
def test_a_bad_experiment_file_is_a_clear_error(text: str, message: str, tmp_path: Any) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        Experiment.from_file(path)


def test_weights_that_do_not_fit_the_network_are_refused(
    trained: Experiment, tmp_path: Any
) -> None:
    saved = trained.to_json()
    saved["config"]["model"]["width"] = 3
    path = tmp_path / "misfit.json"
    path.write_text(__import__("json").dumps(saved))
    with pytest.raises(ValueError, match="the weights do not fit the network"):
        Experiment.from_file(path)


def test_bad_names_and_values_are_clear_errors(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="unknown preset 'nope'; choose one of"):
        Experiment.from_preset("nope")
    with pytest.raises(ValueError, match=r"model\.width"):
        Experiment.from_config(model={"width": 99})
    with pytest.raises(ValueError, match="cannot read"):
        Experiment.from_file(tmp_path / "missing.json")


def test_a_preset_is_the_pages_preset_and_a_seed_changes_the_data() -> None:
    lecture = Experiment.from_preset("lecture")
    assert lecture.net.widths == (2, 2, 2, 2) and lecture.config.data.dataset == "spiral"
    other = Experiment.from_preset("lecture", seed=7)
    assert other.config.data.seed == 7
    assert not np.array_equal(other.data.x, lecture.data.x)


def test_the_python_api_never_imports_the_web_framework() -> None:
    code = (
        "import sys; from spacefold import Experiment, stage_strip; "
        "stage_strip(Experiment.from_config(data={'points': 20})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'starlette', 'uvicorn')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
