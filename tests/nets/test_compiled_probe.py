"""The compiled probe (nets/probe_kernel.py, nets/twowide.py) and the compiled fold reports
against torch and numpy: the same numbers, to the bit where the module says so."""

import importlib

import numpy as np
import pytest
import torch

from nets import probe_kernel
from nets.diagnostics import fold_reports
from nets.model import FoldNet
from nets.probe import (
    all_stage_regions,
    fit_extent,
    fit_extents,
    grid_lines,
    probe,
    region_axes,
    region_grids,
)
from nets.twowide import kernel_is_torch, two_wide
from tests.oracle import flatness_by_svd

probe_module = importlib.import_module("nets.probe")  # the package's `probe` is the function


@pytest.fixture(autouse=True)
def _kernel_is_torch_here() -> None:
    if not kernel_is_torch():
        pytest.skip("torch's matrix product rounds otherwise on this CPU: the kernel is unused")


def _net(depth: int, classes: int, seed: int) -> FoldNet:
    net = FoldNet((2,) * depth, "relu", classes=classes, seed=seed)
    with torch.no_grad():  # larger weights than at the start: folds that zero, wide ranges
        for p in net.params:
            p.mul_(3.0)
    return net


def _torch_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe_module, "two_wide", lambda net, device="cpu": None)


def _bits(a: np.ndarray) -> np.ndarray:
    """Each float32's bits (the sign of a zero included), every NaN as one pattern (a NaN's
    payload means nothing)."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).copy()
    bits[np.isnan(a)] = 0x7FC00000
    return bits


@pytest.mark.parametrize(("depth", "classes", "seed"), [(0, 2, 1), (1, 3, 2), (3, 2, 3), (5, 2, 4)])
def test_the_compiled_probe_is_torch_to_the_bit(
    depth: int, classes: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = _net(depth, classes, seed)
    assert two_wide(net) is not None
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(300, 2)).astype(np.float32) * 2
    points[0] = (-0.0, 0.0)
    lines = grid_lines((-2.0, 2.0, -1.5, 2.5), 7, 11)
    got = probe(net, points, lines)
    _torch_path(monkeypatch)
    want = probe(net, points, lines)
    assert len(got.points) == len(want.points) == net.n_stages
    for a, b, c, d in zip(got.points, want.points, got.grid, want.grid, strict=True):
        assert a.shape == b.shape and c.shape == d.shape
        np.testing.assert_array_equal(_bits(a), _bits(b))
        np.testing.assert_array_equal(_bits(c), _bits(d))
    np.testing.assert_array_equal(got.pred, want.pred)
    with torch.no_grad():  # and both are the network's own stages
        for k in range(net.n_stages):
            np.testing.assert_allclose(
                got.points[k], net[:k](torch.from_numpy(points)).numpy(), rtol=1e-5, atol=1e-5
            )


@pytest.mark.parametrize(("depth", "classes", "seed"), [(0, 2, 5), (2, 3, 6), (3, 2, 7), (4, 2, 8)])
def test_the_compiled_regions_are_torch_to_the_bit(
    depth: int, classes: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = _net(depth, classes, seed)
    rng = np.random.default_rng(seed)
    widths = [s.width for s in net.stage_info()]
    extents = {
        k: tuple(
            float(v)
            for v in np.sort(rng.normal(size=2) * 3).tolist()
            + np.sort(rng.normal(size=2) * 3).tolist()
        )
        for k in range(net.n_stages)
        if widths[k] == 2
    }
    sizes = {k: int(rng.integers(3, 20)) for k in extents}
    got = all_stage_regions(net, extents, sizes)  # type: ignore[arg-type]
    _torch_path(monkeypatch)
    want = all_stage_regions(net, extents, sizes)  # type: ignore[arg-type]
    assert got.keys() == want.keys() == extents.keys()
    for k in got:
        assert got[k].label is not None and want[k].label is not None
        np.testing.assert_array_equal(got[k].label, want[k].label)
        np.testing.assert_array_equal(_bits(got[k].conf), _bits(want[k].conf))  # type: ignore[arg-type]
        np.testing.assert_array_equal(got[k].xs, want[k].xs)
        np.testing.assert_array_equal(got[k].ys, want[k].ys)


def test_nan_and_infinite_weights_give_torch_s_winners_and_confidences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    net = _net(2, 2, 9)
    with torch.no_grad():
        net.linear(1).weight[0, 0] = float("inf")
        net.linear(2).bias[1] = float("nan")
    extents = {0: (-1.0, 1.0, -1.0, 1.0), 1: (-2.0, 2.0, -2.0, 2.0), 5: (-3.0, 3.0, -3.0, 3.0)}
    sizes = dict.fromkeys(extents, 9)
    got = all_stage_regions(net, extents, sizes)
    _torch_path(monkeypatch)
    want = all_stage_regions(net, extents, sizes)
    for k in got:
        np.testing.assert_array_equal(got[k].label, want[k].label)
        np.testing.assert_array_equal(_bits(got[k].conf), _bits(want[k].conf))  # type: ignore[arg-type]
    assert np.isnan(got[0].conf).any()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "net",
    [
        FoldNet((2, 2), "tanh", classes=2, seed=1),
        FoldNet((2, 3), "relu", classes=2, seed=1),
        FoldNet((2, 2), "relu", classes=4, seed=1),
        FoldNet((2, 2), "relu", classes=1, seed=1),
        FoldNet((2,), "relu", classes=2, seed=1, features=("x1", "x2", "x1*x2")),
    ],
)
def test_networks_the_kernel_does_not_compute_exactly_go_through_torch(net: FoldNet) -> None:
    assert two_wide(net) is None
    assert two_wide(FoldNet((2, 2), "relu", classes=2, seed=1), "meta") is None


def test_region_grids_are_the_cell_centres_of_each_box() -> None:
    extents = [(-1.0, 2.0, -0.5, 0.5), (0.25, 0.75, -3.0, 1.0), (-1e-3, 1e-3, 5.0, 7.0)]
    sides = [5, 5, 3]
    axes, cells = region_grids(extents, sides)
    at = 0
    for (xs, ys), extent, side in zip(axes, extents, sides, strict=True):
        want_x, want_y = region_axes(extent, side)
        np.testing.assert_array_equal(xs, want_x)
        np.testing.assert_array_equal(ys, want_y)
        grid = cells[:, at : at + side * side].reshape(2, side, side)
        np.testing.assert_array_equal(grid[0], np.broadcast_to(xs, (side, side)))
        np.testing.assert_array_equal(grid[1], np.broadcast_to(ys[:, None], (side, side)))
        at += side * side
    assert at == cells.shape[1]


def test_boxes_of_many_clouds_are_each_ones_own() -> None:
    rng = np.random.default_rng(3)
    clouds = [
        (rng.normal(size=(40, 2)) * 10.0 ** rng.uniform(-6, 3)).astype(np.float32)
        for _ in range(30)
    ]
    clouds[3][:] = clouds[3][0]  # on one spot: the smallest box
    clouds[4][7, 1] = np.nan
    clouds[5][2, 0] = -np.inf
    clouds[6] = np.concatenate([clouds[6], np.ones((40, 1), np.float32)], axis=1)  # 3-D: x, y
    got = fit_extents(clouds)
    assert got == [fit_extent(c) for c in clouds]
    assert all(type(v) is float for box in got for v in box)
    assert got[4] == got[5] == (-1.0, 1.0, -1.0, 1.0)
    mixed = [clouds[0], clouds[1].astype(np.float64), clouds[2][:10]]
    assert fit_extents(mixed) == [fit_extent(c) for c in mixed]
    assert fit_extents([]) == []


def test_compiled_fold_reports_are_the_generic_ones() -> None:
    rng = np.random.default_rng(4)
    n = 200
    labels = rng.integers(0, 2, n).astype(np.uint8)
    folded = [np.maximum(rng.normal(size=(n, 2)), 0).astype(np.float32) for _ in range(4)]
    folded[1][:, 1] = 0  # a dead unit: a cloud on a line
    folded[2][:] = 0  # every point dead: no flatness
    folded[3][5, 0] = np.nan
    places = [(i + 1, 2 * i + 2) for i in range(4)]
    got = fold_reports(places, "relu", folded, labels)  # float32, 2 wide: compiled
    generic = fold_reports(places, "relu", [f.astype(np.float64) for f in folded], labels)
    for a, b, cloud in zip(got, generic, folded, strict=True):
        assert (a.layer, a.stage, a.dead_units) == (b.layer, b.stage, b.dead_units)
        for mask in ("flat", "dead", "merged"):
            np.testing.assert_array_equal(getattr(a, mask), getattr(b, mask))
        if b.flatness is None:
            assert a.flatness is None
        else:
            assert a.flatness == pytest.approx(b.flatness, rel=1e-12)
            assert a.flatness == pytest.approx(flatness_by_svd(cloud.astype(np.float64)), rel=1e-12)
    assert got[1].dead_units == [1] and got[1].flatness == 0.0
    assert got[2].flatness is None and got[3].flatness is None


def test_regions_are_refused_in_an_output_stage_that_is_not_a_plane() -> None:
    net = _net(2, 3, 10)
    extents = {0: (-1.0, 1.0, -1.0, 1.0), net.n_stages - 1: (-2.0, 2.0, -2.0, 2.0)}
    with pytest.raises(ValueError, match="3 wide"):
        all_stage_regions(net, extents, dict.fromkeys(extents, 6))


def test_where_the_kernel_is_not_torch_s_every_network_goes_through_torch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = probe_kernel.stages

    def a_step_off(*args: object) -> np.ndarray:
        out: np.ndarray = real(*args)  # type: ignore[arg-type]
        out[-1, 0, 3] = np.nextafter(out[-1, 0, 3], np.float32(np.inf))
        return out

    kernel_is_torch.cache_clear()
    monkeypatch.setattr(probe_kernel, "stages", a_step_off)
    try:
        assert kernel_is_torch() is False
        assert two_wide(FoldNet((2, 2), "relu", classes=2, seed=1)) is None
    finally:
        kernel_is_torch.cache_clear()
    monkeypatch.undo()
    assert kernel_is_torch() is True
