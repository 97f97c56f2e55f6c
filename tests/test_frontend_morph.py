"""The page's morph (frontend/morphpath.js) walks the same path as the Python one (nets.linalg's
affine_path, spacefold.Frame.morph_at), mid-way through every phase and not only at its ends:
reflections, singular maps and shears included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nets.linalg import affine_path, decompose
from spacefold import Experiment
from tests.node import run_js

MATRICES = {
    "rotate and scale": [[1.2, -0.5], [0.7, 0.9]],
    "reflect": [[0.8, 0.3], [0.4, -1.1]],
    "swap the axes": [[0.0, 1.0], [1.0, 0.0]],
    "a half turn": [[-1.0, 0.0], [0.0, -1.0]],
    "singular": [[1.0, 2.0], [0.5, 1.0]],
    "zero": [[0.0, 0.0], [0.0, 0.0]],
    "shear": [[1.0, 1.5], [0.0, 1.0]],
    "shear and reflect": [[1.0, 0.0], [-2.0, -1.0]],
}
BIAS = [0.3, -0.6]
# Ends, the middle of each fifth (rotate, reflect, scale, rotate, shift) and the quarters.
TIMES = [0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 1.0]

AFFINE_AT = """
import { affineAt } from "@frontend/morphpath.js";
const out = DATA.cases.map(({ decomposition, bias, t }) => affineAt(decomposition, bias, t));
console.log(JSON.stringify(out));
"""

MORPH_AT = """
import { morphAt } from "@frontend/morphpath.js";
const arrays = new Map(Object.entries(DATA.arrays).map(([k, v]) => [k, Float32Array.from(v)]));
const out = DATA.positions.map((s) => ["points", "grid"].map(
  (family) => Array.from(morphAt(DATA.header, arrays, s, family))));
console.log(JSON.stringify(out));
"""


def test_the_affine_step_follows_the_python_path_at_every_phase(tmp_path: Path) -> None:
    runs = [(name, t) for name in MATRICES for t in TIMES]
    cases = [
        {"decomposition": decompose(np.array(MATRICES[name])).as_dict(), "bias": BIAS, "t": t}
        for name, t in runs
    ]
    got = run_js(AFFINE_AT, {"cases": cases}, tmp_path)
    assert len(got) == len(cases)
    for (name, t), js in zip(runs, got, strict=True):
        m, c = affine_path(decompose(np.array(MATRICES[name])), np.array(BIAS), t)
        where = f"{name} at t={t}"
        np.testing.assert_allclose(js["m"], m, atol=1e-9, err_msg=where)
        np.testing.assert_allclose(js["c"], c, atol=1e-9, err_msg=where)


def test_the_path_ends_at_the_layer_map_and_is_no_straight_line() -> None:
    for name, w in MATRICES.items():
        m, c = affine_path(decompose(np.array(w)), np.array(BIAS), 1.0)
        np.testing.assert_allclose(m, w, atol=1e-9, err_msg=name)
        np.testing.assert_allclose(c, BIAS, atol=1e-12, err_msg=name)
    # Mid-way a reflection is a squash, not the average of its ends: the test above looks there.
    m, _ = affine_path(decompose(np.array(MATRICES["reflect"])), np.array(BIAS), 0.3)
    assert abs(np.linalg.det(m)) < 1e-9


@pytest.mark.parametrize(
    "first", ["reflect", "singular", "shear", "rotate and scale"], ids=lambda name: name
)
def test_the_page_draws_a_frame_mid_way_where_the_notebook_does(tmp_path: Path, first: str) -> None:
    exp = Experiment.from_config(
        data={"points": 40, "seed": 3}, model={"width": 2, "depth": 2, "activation": "leaky_relu"}
    )
    exp.session.set_layer(1, MATRICES[first], BIAS)
    exp.session.set_layer(2, MATRICES["shear and reflect"], [0.1, 0.2])
    exp.session.set_layer(3, MATRICES["swap the axes"], [0.0, -0.1])
    frame = exp.frame()
    last = frame.n_stages - 1
    positions = [k + t for k in range(last) for t in (0.25, 0.5, 0.75)] + [0.0, float(last)]
    assert any(frame.morph_map(s) is not None for s in positions)  # 2×2 steps are among them
    arrays = {
        f"stage{k}/{family}": frame.arrays[f"stage{k}/{family}"].ravel().tolist()
        for k in range(frame.n_stages)
        for family in ("points", "grid")
    }
    got = run_js(
        MORPH_AT, {"header": frame.header, "arrays": arrays, "positions": positions}, tmp_path
    )
    for s, (points, grid) in zip(positions, got, strict=True):
        np.testing.assert_allclose(
            np.reshape(points, (-1, 2)),
            frame.morph_at(s, "points"),
            atol=1e-5,
            err_msg=f"points at s={s}",
        )
        np.testing.assert_allclose(
            np.reshape(grid, (-1, 2)),
            frame.morph_at(s, "grid").reshape(-1, 2),
            atol=1e-5,
            err_msg=f"grid at s={s}",
        )
