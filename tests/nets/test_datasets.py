import numpy as np
import pytest

from nets.datasets import GENERATORS, REGRESSION, make_dataset


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    a = make_dataset(name, 200, 0.1, seed=3)
    b = make_dataset(name, 200, 0.1, seed=3)
    c = make_dataset(name, 200, 0.1, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shapes_split_scale_and_every_class_present(name: str) -> None:
    data = make_dataset(name, 300, 0.0, seed=1, classes=3, test_ratio=0.3)
    assert data.x_train.shape == (210, 2) and data.x_test.shape == (90, 2)
    assert data.x.dtype == np.float32 and np.abs(data.x).max() <= 1.3
    if name in REGRESSION:
        assert data.y.dtype == np.float32 and data.n_classes == 1 and data.regression
        assert 0.2 < float(np.abs(data.y).max()) <= 1.5
        return
    assert data.y.dtype == np.int64
    assert set(np.unique(data.y)) == set(range(data.n_classes))
    assert data.n_classes == (3 if name in ("spiral", "circles", "gaussians") else 2)


def test_xor_labels_follow_the_quadrants() -> None:
    data = make_dataset("xor", 500, 0.0, seed=0)
    assert np.array_equal(data.y, (data.x[:, 0] * data.x[:, 1] < 0).astype(np.int64))


def test_circles_rings_are_ordered_by_radius() -> None:
    data = make_dataset("circles", 600, 0.0, seed=0, classes=3)
    radius = np.linalg.norm(data.x, axis=1)
    for k in range(2):
        assert radius[data.y == k].max() < radius[data.y == k + 1].min()


def test_noise_moves_points() -> None:
    clean = make_dataset("moons", 200, 0.0, seed=2)
    noisy = make_dataset("moons", 200, 0.2, seed=2)
    shift = np.linalg.norm(clean.x - noisy.x, axis=1)
    assert 0.1 < shift.mean() < 0.4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "swirl"}, "unknown dataset 'swirl'"),
        ({"name": "moons", "points": 1}, "at least 2 points"),
        ({"name": "moons", "test_ratio": 1.0}, "test_ratio"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_dataset(**kwargs)  # type: ignore[arg-type]


def test_the_plane_is_the_mean_of_the_coordinates() -> None:
    data = make_dataset("plane", 50, 0.0, seed=0)
    np.testing.assert_allclose(data.y, data.x.sum(axis=1) / 2, atol=1e-6)


def test_the_playground_spiral_has_a_dense_centre_and_exactly_half_a_class() -> None:
    ours = make_dataset("spiral", 500, noise=0.0, seed=0)
    theirs = make_dataset("playground_spiral", 500, noise=0.0, seed=0)
    assert np.bincount(theirs.y).tolist() == [250, 250]
    radius = np.linalg.norm(theirs.x, axis=1)
    # The radius grows evenly along the arm: half the points lie within half the radius.
    assert abs(np.median(radius) - 0.5) < 0.01
    assert np.median(np.linalg.norm(ours.x, axis=1)) > 0.68
    # The two arms are half a turn apart: a point and its partner lie opposite each other.
    x = np.concatenate([theirs.x_train, theirs.x_test])
    y = np.concatenate([theirs.y_train, theirs.y_test])
    first, second = x[y == 0], x[y == 1]
    assert len(first) == len(second) == 250
    again = make_dataset("playground_spiral", 500, noise=0.0, seed=0)
    assert np.array_equal(again.x_train, theirs.x_train)
