"""The stroke's simplification (frontend/views/polyline.js): the drawn path stays within its
slack of every vertex it was given, keeps every kink and every turn back, and leaves out the
vertices of straight runs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from tests.node import run_js

SLACK = 0.2  # px, as in polyline.js

POLYLINE_JS = """
import { PolylineRun } from "@frontend/views/polyline.js";
const out = [];
const ctx = {
  moveTo: (x, y) => out.push(["M", x, y]),
  lineTo: (x, y) => out.push(["L", x, y]),
};
const run = new PolylineRun(ctx);
for (const line of DATA.lines) {
  for (const [x, y] of line) run.add(x, y);
  run.end();
}
console.log(JSON.stringify(out));
"""


def drawn(
    lines: list[list[tuple[float, float]]], tmp_path: Path
) -> list[list[tuple[float, float]]]:
    """The path's lines, as the vertices it draws."""
    ops = run_js(POLYLINE_JS, {"lines": lines}, tmp_path)
    out: list[list[tuple[float, float]]] = []
    for op, x, y in ops:
        if op == "M":
            out.append([])
        out[-1].append((x, y))
    return out


def distance_to_path(p: np.ndarray, path: np.ndarray) -> float:
    a, b = path[:-1], path[1:]
    d = b - a
    length2 = np.maximum(np.einsum("ij,ij->i", d, d), 1e-300)
    t = np.clip(np.einsum("ij,ij->i", p - a, d) / length2, 0, 1)
    nearest = a + t[:, None] * d
    return float(np.min(np.linalg.norm(nearest - p, axis=1)))


def test_a_kinked_line_keeps_its_kinks_and_loses_its_straight_runs(tmp_path: Path) -> None:
    # A ReLU-like line: straight, a kink at x = 40, straight again, sampled every px.
    line = [(float(x), float(max(0.0, x - 40) * 0.5)) for x in range(101)]
    [path] = drawn([line], tmp_path)
    assert path[0] == line[0] and path[-1] == line[-1]
    assert (40.0, 0.0) in path
    assert len(path) <= 8  # 24 vertices at most are left out in a row


def test_every_vertex_given_lies_within_the_slack_of_the_drawn_path(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    lines = [
        [(60 * math.cos(t), 60 * math.sin(t)) for t in np.linspace(0, 3, 80)],  # a curve
        [(float(x), float(y)) for x, y in rng.normal(0, 20, (40, 2))],  # a scribble
        [(float(x), 0.001 * x * x) for x in range(200)],  # a slow bend
    ]
    paths = drawn(lines, tmp_path)
    assert len(paths) == len(lines)
    for line, path in zip(lines, paths, strict=True):
        assert path[0] == line[0] and path[-1] == line[-1]
        for p in line:
            assert distance_to_path(np.array(p), np.array(path)) <= SLACK + 1e-9
    assert len(paths[1]) >= 0.8 * len(lines[1])  # little of a scribble is straight


def test_a_line_that_turns_back_keeps_its_turn(tmp_path: Path) -> None:
    # Out along x and back over itself, as a fold sends a grid line.
    line = [(float(x), 0.0) for x in range(11)] + [(float(x), 0.0) for x in range(9, 2, -1)]
    [path] = drawn([line], tmp_path)
    assert path == [(0.0, 0.0), (10.0, 0.0), (3.0, 0.0)]


def test_a_lone_point_and_an_empty_line_draw_nothing_wrong(tmp_path: Path) -> None:
    paths = drawn([[(1.0, 2.0)], [], [(0.0, 0.0), (5.0, 5.0)]], tmp_path)
    assert paths == [[(1.0, 2.0)], [(0.0, 0.0), (5.0, 5.0)]]
