import numpy as np

from nets.projection import align, pca_basis, project, stable_pca


def test_pca_finds_the_spread_directions() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4)) * [5.0, 0.1, 2.0, 0.1]
    mean, basis = pca_basis(x)
    assert basis.shape == (2, 4)
    assert abs(basis[0, 0]) > 0.99 and abs(basis[1, 2]) > 0.99
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-9)
    coords = project(x, mean, basis)
    assert coords.dtype == np.float32 and coords.shape == (500, 2)
    np.testing.assert_allclose(coords.mean(axis=0), 0.0, atol=1e-5)


def test_alignment_undoes_swaps_and_flips() -> None:
    previous = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    swapped_and_flipped = np.array([[0.0, -0.99, 0.1], [0.995, 0.0, 0.1]])
    aligned = align(swapped_and_flipped, previous)
    assert aligned[0, 0] > 0.99 and aligned[1, 1] > 0.98


def test_a_basis_followed_from_frame_to_frame_never_jumps() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=(300, 5)) * [3.0, 2.9, 0.2, 0.2, 0.2]  # two near-equal spreads
    previous = None
    for step in range(40):
        angle = 0.02 * step  # the cloud turns slowly
        turn = np.eye(5)
        turn[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
        _, basis = stable_pca(base @ turn.T, previous)
        if previous is not None:
            assert np.all(np.sum(basis * previous, axis=1) > 0.9), f"jump at step {step}"
        previous = basis


def test_degenerate_clouds_still_get_a_basis() -> None:
    _, basis = pca_basis(np.ones((10, 3)))
    assert basis.shape == (2, 3) and np.all(np.isfinite(basis))
    _, basis = pca_basis(np.array([[1.0, 2.0, 3.0]]))
    assert basis.shape == (2, 3)
