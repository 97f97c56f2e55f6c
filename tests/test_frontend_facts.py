"""The page keeps no copy of the facts the schema serves: no dataset, feature or palette colour
is written in its JavaScript, and what it computes from the served formulas is what nets/
computes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import numpy as np
import torch

from engine import palette
from engine.projections import Projection
from nets.datasets import KINDS
from nets.features import FEATURES, FORMULAS, Features
from server.manager import SESSION_ID_PATTERN
from tests.node import FRONTEND, run_js

SCRIPTS = sorted(FRONTEND.rglob("*.js"))


def literals(word: str) -> list[str]:
    """Every place a frontend script holds `word` as a whole string literal, as path:line."""
    pattern = re.compile(rf"""(["'`]){re.escape(word)}\1""")
    return [
        f"{path.relative_to(FRONTEND)}:{n}"
        for path in SCRIPTS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_no_script_names_a_dataset() -> None:
    # "plane" is also a stage's projection (the frame's word for a 2-wide stage drawn as is).
    other_words = set(get_args(Projection))
    assert SCRIPTS
    found = {name: literals(name) for name in KINDS if name not in other_words}
    assert {name: where for name, where in found.items() if where} == {}


def test_no_script_names_a_feature_or_a_palette_colour() -> None:
    found = {name: literals(name) for name in FEATURES}
    assert {name: where for name, where in found.items() if where} == {}
    served = palette.served()
    colours = {c.lower() for c in [*served["classes"], *served["layers"]]} | {
        served[key].lower() for key in ("ink", "muted", "axis", "frame", "dead", "loss", "accuracy")
    }
    text = {path: path.read_text(encoding="utf-8").lower() for path in SCRIPTS}
    copies = [
        f"{path.relative_to(FRONTEND)}: {c}"
        for path, body in text.items()
        for c in sorted(colours)
        if c in body
    ]
    assert copies == []


FEATURES_JS = """
import { featureLabel, featureMap } from "@frontend/views/features.js";
const out = {};
for (const [name, formula] of Object.entries(DATA.formulas)) {
  const f = featureMap(formula);
  out[name] = { label: featureLabel(formula), values: DATA.points.map(([a, b]) => f(a, b)) };
}
console.log(JSON.stringify(out));
"""


def test_the_page_computes_every_feature_as_the_network_does(tmp_path: Path) -> None:
    points = np.random.default_rng(0).uniform(-1.5, 1.5, (50, 2)).astype(np.float32)
    got = run_js(FEATURES_JS, {"formulas": FORMULAS, "points": points.tolist()}, tmp_path)
    assert list(got) == list(FEATURES)
    expected = Features(FEATURES)(torch.from_numpy(points)).numpy()
    for j, name in enumerate(FEATURES):
        np.testing.assert_allclose(got[name]["values"], expected[:, j], atol=1e-6, err_msg=name)
    assert [got[name]["label"] for name in FEATURES] == [
        "x₁",
        "x₂",
        "x₁²",
        "x₂²",
        "x₁·x₂",
        "sin x₁",
        "sin x₂",
    ]


def test_the_page_reads_session_ids_as_the_server_makes_them() -> None:
    """The follow link's check in the page is the server's pattern of a session id."""
    text = (FRONTEND / "classroom" / "follow.js").read_text(encoding="utf-8")
    found = re.search(r"const SESSION = /(.+)/;", text)
    assert found is not None and found.group(1) == SESSION_ID_PATTERN
