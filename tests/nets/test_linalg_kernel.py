"""The compiled decompositions and shear forms (nets.linalg.forms_each) against the plain ones,
number for number: the same floats, signed zeros included, and the same dict layout."""

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nets.linalg import Decomposition, ShearForm, decompose_each, forms_each, rotation, shear_form

stacks = arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.just(2), st.just(2)),
    elements=st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.0, -0.0, 1.0, -1.0]),
)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, dicts in the same key order, -0.0 apart from 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
        )
    return bool(a == b)


def plain(ws: np.ndarray) -> list[tuple[dict[str, object], dict[str, float]]]:
    return [
        (d.as_dict(), shear_form(w).as_dict())
        for d, w in zip(decompose_each(list(ws)), ws, strict=True)
    ]


def rebuilt(parts: tuple[dict[str, Any], dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
    d, s = parts
    scales = (d["scales"][0], d["scales"][1])
    decomposition = Decomposition(d["angle_in"], d["reflect"], scales, d["angle_out"])
    return decomposition.matrix(), ShearForm(**s).matrix()


@settings(deadline=None)  # the first example loads the compiled code
@given(stacks)
def test_the_same_numbers_as_one_matrix_at_a_time(ws: np.ndarray) -> None:
    got = forms_each(ws)
    assert same(got, plain(ws))
    for parts, w in zip(got, ws, strict=True):
        size = max(1.0, float(np.abs(w).max()))
        for m in rebuilt(parts):
            np.testing.assert_allclose(m, w, rtol=0, atol=1e-12 * size)


@pytest.mark.parametrize(
    "w",
    [
        np.eye(2),
        np.zeros((2, 2)),
        -np.zeros((2, 2)),
        np.diag([1.0, -1.0]),  # a pure reflection
        np.diag([-1.0, 2.0]),
        np.array([[0.0, 1.0], [1.0, 0.0]]),  # swap axes: reflects
        np.array([[0.0, 0.0], [1.0, 0.0]]),  # singular; its angle_in is π, not -π
        np.array([[0.0, -0.0], [-2.0, -0.0]]),
        np.array([[2.0, 4.0], [1.0, 2.0]]),  # singular
        np.array([[1.0, 1.0], [0.0, 1.0]]),  # a shear
        rotation(0.7) * 3.0,  # equal scales: the split of the angle is LAPACK's
        rotation(2.5) @ np.diag([1.0, -1.0]),
        np.array([[1e-300, 0.0], [0.0, 1e300]]),
    ],
)
def test_known_matrices(w: np.ndarray) -> None:
    (got,) = forms_each(w[None].copy())
    assert same(got, plain(w[None])[0])
    for m in rebuilt(got):
        np.testing.assert_allclose(m, w, rtol=0, atol=1e-12 * float(np.abs(w).max()))


def test_signed_zeros_decide_the_angles() -> None:
    """Every matrix of zeros and ±1 and 2: where a reflection is taken out, numpy's product
    turns -0.0 into 0.0, and atan2 then says π rather than -π."""
    values = np.array([0.0, -0.0, 1.0, -1.0, 2.0])
    index = np.indices((5, 5, 5, 5)).reshape(4, -1).T
    ws = values[index].reshape(-1, 2, 2)
    got = forms_each(ws)
    want = plain(ws)
    assert same(got, want)
    assert sum(d["angle_in"] == math.pi for d, _ in want) > 10  # the case arises


def test_a_stack_is_each_of_its_matrices() -> None:
    ws = np.random.default_rng(3).normal(size=(7, 2, 2))
    assert same(forms_each(ws), [forms_each(w[None].copy())[0] for w in ws])


def test_infinities_and_nan_as_before() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        inf = np.array([[[np.inf, 1.0], [0.0, 1.0]], [[1.0, 1e308], [-1e308, 1.0]]])
        assert same(forms_each(inf), plain(inf))
    with pytest.raises(np.linalg.LinAlgError):
        forms_each(np.array([[[np.nan, 1.0], [0.0, 1.0]]]))


def test_only_2x2_matrices() -> None:
    with pytest.raises(ValueError, match="2x2"):
        forms_each(np.ones((1, 3, 2)))
    assert forms_each(np.zeros((0, 2, 2))) == []
