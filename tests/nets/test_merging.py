"""The merged mask against a brute-force pass over every pair of points."""

import numpy as np
import pytest

import nets.merging
from nets.merging import (
    MERGE_TOLERANCE,
    distinct_rows,
    merged_points,
    merged_points_each,
    stage_extent,
)
from tests.oracle import merged_by_pairs


@pytest.mark.parametrize(("n", "width", "classes"), [(300, 2, 2), (400, 5, 3), (50, 1, 2)])
def test_random_clouds_agree_with_every_pair(n: int, width: int, classes: int) -> None:
    rng = np.random.default_rng(n)
    for trial in range(5):
        # Few distinct values per coordinate, so that many pairs are near and some coincide.
        z = rng.integers(0, 40, size=(n, width)) * 0.1 + rng.normal(size=(n, width)) * 1e-3
        z[rng.random(n) < 0.3] = 0.0  # a share folded onto the origin
        z = np.maximum(z, 0).astype(np.float32)
        y = rng.integers(0, classes, size=n)
        got = merged_points(z, y)
        want = merged_by_pairs(z, y)
        np.testing.assert_array_equal(got, want)
        assert 0 < want.sum() < n, trial


def test_exact_duplicates_of_mixed_classes_merge_and_of_one_class_do_not() -> None:
    z = np.array([[0.0, 0.0]] * 3000 + [[1.0, 1.0]] * 2000 + [[5.0, 5.0], [-0.0, 0.0]])
    y = np.array([0] * 3000 + [1] * 2000 + [1, 1])
    got = merged_points(z, y)
    assert got[:3000].all() and got[-1]  # -0.0 is 0.0: the last point sits on class 0
    assert not got[3000:5001].any()
    np.testing.assert_array_equal(got, merged_by_pairs(z, y))


def test_the_tolerance_is_inclusive_in_the_maximum_norm() -> None:
    extent = 8.0
    tolerance = MERGE_TOLERANCE * extent
    base = np.array([[-4.0, -4.0], [4.0, -4.0], [-4.0, 4.0]])  # a box 8 wide
    for dx, dy, merged in [
        (tolerance, tolerance, True),  # on the corner of the square: the maximum norm
        (tolerance, 0.0, True),
        (np.nextafter(tolerance, 1.0), 0.0, False),
        (0.0, 1.01 * tolerance, False),
        (0.99 * tolerance, -0.99 * tolerance, True),
    ]:
        z = np.vstack([base, [[0.0, 0.0], [dx, dy]]])  # differences exact in floats
        assert stage_extent(z) == extent
        y = np.array([0, 0, 0, 0, 1])
        got = merged_points(z, y)
        assert got.tolist() == [False, False, False, merged, merged], (dx, dy)
        np.testing.assert_array_equal(got, merged_by_pairs(z, y))


def test_a_cloud_on_one_spot_merges_every_point_when_it_holds_two_classes() -> None:
    z = np.ones((1000, 4))
    assert merged_points(z, np.arange(1000) % 2).all()
    assert not merged_points(z, np.zeros(1000, dtype=int)).any()


def test_non_finite_points_are_never_merged_and_bad_shapes_are_refused() -> None:
    z = np.array([[np.nan, 0.0], [0.0, 0.0], [0.0, 0.0], [np.inf, 1.0]])
    assert merged_points(z, np.array([0, 0, 1, 1])).tolist() == [False, True, True, False]
    assert not merged_points(np.zeros((0, 2)), np.zeros(0, dtype=int)).any()
    with pytest.raises(ValueError, match="points must be"):
        merged_points(np.zeros((3, 2)), np.zeros(4, dtype=int))


def test_distinct_rows_are_exact_and_take_minus_zero_for_zero() -> None:
    rng = np.random.default_rng(7)
    z = rng.integers(0, 4, size=(600, 3)).astype(np.float64)
    z[rng.random(600) < 0.2] *= -0.0  # -0.0 and 0.0 are one row
    rows, row_of = distinct_rows(z)
    want = np.unique(z + 0.0, axis=0)
    assert len(rows) == len(want)
    np.testing.assert_array_equal(np.unique(rows, axis=0), want)
    np.testing.assert_array_equal(rows[row_of], z + 0.0)


@pytest.mark.parametrize("gap", [0.0, 0.009, 0.011])
def test_dense_clusters_of_distinct_points_agree_with_every_pair(gap: float) -> None:
    """Hundreds of distinct points within the tolerance of each other, in 6 dimensions: one
    cluster of both classes (gap 0), or one per class, their centres just inside or just
    outside the tolerance (0.01 here) apart."""
    rng = np.random.default_rng(3)
    width = 6
    anchors = np.array([[0.0] * width, [10.0] * width])  # the extent: 10
    a = 5.0 + rng.normal(size=(400, width)) * 1e-6
    b = 5.0 + rng.normal(size=(400, width)) * 1e-6
    b[:, 0] += gap
    z = np.vstack([anchors, a, b])
    y = np.r_[[0, 1], np.zeros(400, dtype=int), np.ones(400, dtype=int)]
    if gap == 0.0:
        y[2:] = rng.integers(0, 2, size=800)
    got = merged_points(z, y)
    np.testing.assert_array_equal(got, merged_by_pairs(z, y))
    assert got[2:].all() == (gap < 0.01) and not got[:2].any()


@pytest.mark.parametrize("work", [nets.merging.SWEEP_WORK, 0])
def test_clouds_worked_out_together_agree_with_every_pair_in_each(
    work: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several clouds at once (widths 2, 3, 1 and 0, some points not finite, some on one
    spot), by the sweep and (with no room for its pairs) by the trees."""
    monkeypatch.setattr(nets.merging, "SWEEP_WORK", work)
    rng = np.random.default_rng(11)
    n = 300
    y = rng.integers(0, 3, size=n)
    for trial in range(5):
        clouds = [
            np.maximum(rng.integers(0, 30, size=(n, width)) * 0.1, 0.0).astype(np.float32)
            + (rng.normal(size=(n, width)) * 1e-3 * (trial % 2)).astype(np.float32)
            for width in (2, 3, 1, 0)
        ]
        clouds[0][rng.random(n) < 0.2] = 0.0
        clouds[1][rng.random(n) < 0.05] = np.nan
        got = merged_points_each(clouds, y)
        for points, mask in zip(clouds[:3], got[:3], strict=True):
            np.testing.assert_array_equal(mask, merged_by_pairs(points, y))
            np.testing.assert_array_equal(mask, merged_points(points, y))
        assert not got[3].any()
        assert 0 < got[0].sum() < n
