"""The presets do what the page says they do, and the challenges can be won by hand."""

import pytest
import torch

from server.presets import CHALLENGES, PRESETS
from server.session import Session


def trained(name: str, steps: int) -> Session:
    session = Session(PRESETS[name], torch.device("cpu"))
    session.train(steps)
    return session


def test_the_default_learns_and_the_lecture_gets_stuck_where_wide_learns() -> None:
    assert trained("default", 300).metrics().test_acc >= 0.95
    assert trained("lecture", 1500).metrics().test_acc < 0.75
    assert trained("wide", 600).metrics().test_acc >= 0.95


def test_the_lecture_net_separates_a_spiral_of_one_turn() -> None:
    """The lecture's own network (4 × 2, ReLU, 2 classes) succeeds where the spiral winds less."""
    session = trained("lecture_solved", 300)
    assert session.net.widths == (2, 2, 2, 2) and session.net.activation == "relu"
    assert session.config.data.dataset == "spiral" and session.net.classes == 2
    assert session.metrics().test_acc >= 0.95
    session.train(1700)
    assert session.metrics().test_acc >= 0.95


HAND_SOLUTIONS = {
    # |x - y| against |x + y|: the product's sign, from four ReLU units.
    "xor": ([[1, 1], [-1, -1], [1, -1], [-1, 1]], [[1, 1, 0, 0], [0, 0, 1, 1]], [0.0, 0.0]),
    # |x| + |y| against a threshold between the rings.
    "circles": ([[1, 0], [-1, 0], [0, 1], [0, -1]], [[0, 0, 0, 0], [1, 1, 1, 1]], [0.59, 0.0]),
}


@pytest.mark.parametrize("name", sorted(CHALLENGES))
def test_each_challenge_starts_unsolved_and_has_a_hand_solution(name: str) -> None:
    challenge = CHALLENGES[name]
    session = Session(challenge["config"], torch.device("cpu"))
    assert session.metrics().train_acc < challenge["goal"]
    hidden, classifier, bias = HAND_SOLUTIONS[name]
    session.set_layer(1, [[float(v) for v in row] for row in hidden], [0.0] * 4)
    session.set_layer(2, [[float(v) for v in row] for row in classifier], bias)
    assert session.metrics().train_acc >= challenge["goal"]
