import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nets.linalg import affine_path, decompose, rotation, shear_form

matrices = arrays(np.float64, (2, 2), elements=st.floats(-10, 10, allow_nan=False))


@given(matrices)
def test_decomposition_rebuilds_the_matrix(w: np.ndarray) -> None:
    d = decompose(w)
    np.testing.assert_allclose(d.matrix(), w, atol=1e-6 * max(1.0, float(np.abs(w).max())))
    assert d.scales[0] >= d.scales[1] >= 0
    assert -math.pi <= d.angle_in <= math.pi and -math.pi <= d.angle_out <= math.pi
    scale = max(1.0, float(np.abs(w).max()) ** 2)
    assert math.isclose(d.det, float(np.linalg.det(w)), abs_tol=1e-6 * scale)


@pytest.mark.parametrize(
    ("w", "reflect", "scales"),
    [
        (np.eye(2), False, (1.0, 1.0)),
        (np.diag([1.0, -1.0]), True, (1.0, 1.0)),  # a pure reflection
        (rotation(0.7) * 3.0, False, (3.0, 3.0)),
        (np.array([[1.0, 1.0], [0.0, 1.0]]), False, None),  # a shear
        (np.array([[2.0, 4.0], [1.0, 2.0]]), None, None),  # singular: folds the plane to a line
        (np.zeros((2, 2)), False, (0.0, 0.0)),
        (np.array([[0.0, 1.0], [1.0, 0.0]]), True, (1.0, 1.0)),  # swap axes: reflects
    ],
)
def test_known_matrices(
    w: np.ndarray, reflect: bool | None, scales: tuple[float, float] | None
) -> None:
    d = decompose(w)
    if reflect is not None:  # a singular map may be read either way
        assert d.reflect is reflect
    if scales is not None:
        np.testing.assert_allclose(d.scales, scales, atol=1e-12)
    np.testing.assert_allclose(d.matrix(), w, atol=1e-9)


def test_singular_matrix_has_a_zero_scale() -> None:
    d = decompose(np.array([[2.0, 4.0], [1.0, 2.0]]))
    assert d.scales[1] < 1e-9 and d.det == pytest.approx(0.0, abs=1e-9)


@given(matrices, arrays(np.float64, (2,), elements=st.floats(-5, 5)))
def test_the_path_runs_from_the_identity_to_the_affine_map(w: np.ndarray, b: np.ndarray) -> None:
    d = decompose(w)
    m0, c0 = affine_path(d, b, 0.0)
    np.testing.assert_allclose(m0, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(c0, 0.0)
    m1, c1 = affine_path(d, b, 1.0)
    np.testing.assert_allclose(m1, w, atol=1e-6 * max(1.0, float(np.abs(w).max())))
    np.testing.assert_allclose(c1, b)


def test_the_path_is_continuous() -> None:
    d = decompose(np.array([[0.3, -2.0], [1.5, 0.4]]))
    b = np.array([0.5, -0.25])
    previous = affine_path(d, b, 0.0)
    for t in np.linspace(0, 1, 501)[1:]:
        current = affine_path(d, b, float(t))
        assert np.abs(current[0] - previous[0]).max() < 0.1  # a jump would be of order 1
        assert np.abs(current[1] - previous[1]).max() < 0.1  # a jump would be of order 1
        previous = current


def test_the_phases_come_in_order() -> None:
    d = decompose(np.array([[0.0, -2.0], [1.0, 0.0]]))  # rotation by 90° with scales
    m, c = affine_path(d, np.array([1.0, 1.0]), 0.2)  # end of the first rotation
    np.testing.assert_allclose(m, rotation(d.angle_in), atol=1e-12)
    m, c = affine_path(d, np.array([1.0, 1.0]), 0.8)  # all but the shift
    np.testing.assert_allclose(m, d.matrix(), atol=1e-12)
    assert np.all(c == 0)


def test_only_2x2_matrices() -> None:
    with pytest.raises(ValueError, match="2x2"):
        decompose(np.ones((3, 2)))


@given(matrices)
def test_shear_form_rebuilds_the_matrix(w: np.ndarray) -> None:
    form = shear_form(w)
    np.testing.assert_allclose(form.matrix(), w, atol=1e-9 * max(1.0, float(np.abs(w).max())))
    assert form.sx >= -1e-12
    if abs(np.linalg.det(w)) > 1e-6:
        assert (form.sy < 0) == (np.linalg.det(w) < 0)


def test_a_pure_shear_reads_as_one() -> None:
    form = shear_form(np.array([[1.0, 0.7], [0.0, 1.0]]))
    assert (form.angle, form.sx, form.sy, form.shear) == pytest.approx((0.0, 1.0, 1.0, 0.7))
