import numpy as np
import pytest
import torch

from nets.model import FoldNet
from nets.probe import (
    fit_extent,
    grid_lines,
    probe,
    region_axes,
    region_grids,
    region_points,
    square_extent,
    stage_regions,
)


def test_grid_lines_are_horizontal_then_vertical() -> None:
    lines = grid_lines((-1.0, 1.0, -2.0, 2.0), lines=5, samples=7)
    assert lines.shape == (10, 7, 2)
    horizontal, vertical = lines[:5], lines[5:]
    assert np.allclose(horizontal[:, :, 1], horizontal[:, :1, 1])  # y fixed along each
    assert np.allclose(horizontal[:, 0, 1], np.linspace(-2, 2, 5))
    assert np.allclose(vertical[:, :, 0], vertical[:, :1, 0])  # x fixed along each
    assert np.allclose(vertical[:, :, 1][0], np.linspace(-2, 2, 7))


def test_region_grid_is_row_major_in_y() -> None:
    xs, ys = region_axes((-1.0, 1.0, -1.0, 1.0), 4)
    assert np.allclose(xs, [-0.75, -0.25, 0.25, 0.75])
    pts = region_points(xs, ys)
    assert np.allclose(pts[1], [xs[1], ys[0]])
    assert np.allclose(pts[4], [xs[0], ys[1]])


def test_grids_made_together_are_each_grid_made_alone() -> None:
    extents = [
        (-1.0, 1.0, -1.0, 1.0),
        (-0.3, 2.7, 0.1, 3.1),
        (5.0, 5.5, -7.0, -6.5),
        (0.0, 1.0, 0.0, 1.0),
    ]
    sides = [6, 4, 4, 3]  # two grids of one resolution between others
    axes, cells = region_grids(extents, sides)
    alone = [region_axes(extent, side) for extent, side in zip(extents, sides, strict=True)]
    for (xs, ys), (want_xs, want_ys) in zip(axes, alone, strict=True):
        assert xs.tobytes() == want_xs.tobytes() and ys.tobytes() == want_ys.tobytes()
    rows = np.concatenate([region_points(xs, ys) for xs, ys in alone])
    assert cells.dtype == np.float32 and cells.tobytes() == np.ascontiguousarray(rows.T).tobytes()


def test_square_extent_holds_every_point() -> None:
    x = np.array([[0.5, -1.7], [1.0, 0.2]], dtype=np.float32)
    xmin, xmax, ymin, ymax = square_extent(x)
    assert xmin == ymin == -xmax == -ymax and xmax > 1.7


def test_probe_matches_the_model_stage_by_stage() -> None:
    net = FoldNet((3, 2, 2), "relu", classes=3, seed=5)
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (40, 2)).astype(np.float32)
    lines = grid_lines((-1.0, 1.0, -1.0, 1.0), 4, 9)
    result = probe(net, points, lines)
    with torch.no_grad():
        for k in range(net.n_stages):
            cut = net[:k]
            want_points = cut(torch.from_numpy(points)).numpy()
            want_grid = cut(torch.from_numpy(lines.reshape(-1, 2))).numpy().reshape(4 * 2, 9, -1)
            np.testing.assert_allclose(result.points[k], want_points, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(result.grid[k], want_grid, rtol=1e-5, atol=1e-6)
        pred = net(torch.from_numpy(points)).argmax(dim=1).numpy()
    np.testing.assert_array_equal(result.pred, pred)


def test_stage_regions_run_the_rest_of_the_network() -> None:
    net = FoldNet((2, 2, 2), "relu", classes=3, seed=1)
    extent = (-0.5, 2.0, -1.0, 1.5)
    for k in range(net.n_stages):
        if net.stage_info()[k].width != 2:
            continue
        regions = stage_regions(net, k, extent, 7)
        assert regions.label is not None and regions.conf is not None
        grid = region_points(regions.xs, regions.ys)
        with torch.no_grad():
            probs = torch.softmax(net[k:](torch.from_numpy(grid)), dim=1).numpy()
        np.testing.assert_array_equal(regions.label.ravel(), probs.argmax(axis=1))
        np.testing.assert_allclose(regions.conf.ravel(), probs.max(axis=1), rtol=1e-5)
        assert regions.label.shape == (7, 7)
    assert regions.xs[0] > -0.5 and regions.ys[-1] < 1.5


def test_fit_extent_is_a_square_around_the_points() -> None:
    pts = np.array([[0.0, 0.0], [4.0, 1.0]], dtype=np.float32)
    xmin, xmax, ymin, ymax = fit_extent(pts)
    assert xmax - xmin == pytest.approx(4.4) and ymax - ymin == pytest.approx(4.4)
    assert xmin < 0 and xmax > 4 and ymin < 0 and ymax > 1
    assert fit_extent(np.zeros((3, 2), np.float32))[1] > 0  # a collapsed stage still has a box
