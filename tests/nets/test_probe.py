import numpy as np
import torch

from nets.model import FoldNet
from nets.probe import grid_lines, on_units, probe, region_axes, region_points, square_extent


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


def test_square_extent_holds_every_point() -> None:
    x = np.array([[0.5, -1.7], [1.0, 0.2]], dtype=np.float32)
    xmin, xmax, ymin, ymax = square_extent(x)
    assert xmin == ymin == -xmax == -ymax and xmax > 1.7


def test_probe_matches_the_model_stage_by_stage() -> None:
    net = FoldNet((3, 2, 2), "relu", classes=3, seed=5)
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (40, 2)).astype(np.float32)
    lines = grid_lines((-1.0, 1.0, -1.0, 1.0), 4, 9)
    xs, ys = region_axes((-1.0, 1.0, -1.0, 1.0), 6)
    region = region_points(xs, ys)
    result = probe(net, points, lines, region)
    with torch.no_grad():
        for k in range(net.n_stages):
            cut = net[:k]
            want_points = cut(torch.from_numpy(points)).numpy()
            want_grid = cut(torch.from_numpy(lines.reshape(-1, 2))).numpy().reshape(4 * 2, 9, -1)
            np.testing.assert_allclose(result.points[k], want_points, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(result.grid[k], want_grid, rtol=1e-5, atol=1e-6)
        logits = net(torch.from_numpy(region))
        probs = torch.softmax(logits, dim=1).numpy()
        pred = net(torch.from_numpy(points)).argmax(dim=1).numpy()
    np.testing.assert_array_equal(result.region_label.ravel(), probs.argmax(axis=1))
    np.testing.assert_allclose(result.region_conf.ravel(), probs.max(axis=1), rtol=1e-5)
    np.testing.assert_array_equal(result.pred, pred)
    assert result.region_label.shape == (6, 6)


def test_on_units_picks_two_coordinates_and_pads_width_one() -> None:
    stage = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(on_units(stage, (2, 0)), stage[:, [2, 0]])
    padded = on_units(stage[:, :1], (0, None))
    np.testing.assert_array_equal(padded, np.stack([stage[:, 0], np.zeros(4)], axis=1))
