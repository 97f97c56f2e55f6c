import pytest
import torch
from torch import nn

from nets.model import ACTIVATIONS, Activation, Fold, FoldNet, transplant


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("widths", [(), (2,), (2, 2, 2, 2), (8, 3, 1)])
def test_every_stage_equals_the_network_cut_there(
    widths: tuple[int, ...], activation: Activation
) -> None:
    net = FoldNet(widths, activation, classes=3, seed=0)
    x = torch.randn(50, 2)
    stages = net.stages(x)
    assert len(stages) == net.n_stages == 2 * len(widths) + 2
    for k, stage in enumerate(stages):
        torch.testing.assert_close(stage, net[:k](x), rtol=0, atol=0)
    torch.testing.assert_close(stages[-1], net(x))


def test_stage_info_names_affine_fold_and_output() -> None:
    net = FoldNet((2, 5), "tanh", classes=4)
    info = net.stage_info()
    assert [(s.kind, s.layer, s.width) for s in info] == [
        ("input", 0, 2),
        ("affine", 1, 2),
        ("fold", 1, 2),
        ("affine", 2, 5),
        ("fold", 2, 5),
        ("output", 3, 4),
    ]
    fold = net[1:2][0]
    assert isinstance(fold, Fold) and isinstance(fold.act, nn.Tanh)


def test_the_lecture_net_has_2x2_weights() -> None:
    net = FoldNet((2, 2, 2, 2), "relu", classes=2)
    linears = [m for m in net.body if isinstance(m, nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [(2, 2)] * 5


def test_seed_fixes_the_initial_weights() -> None:
    a, b, c = FoldNet(seed=1), FoldNet(seed=1), FoldNet(seed=2)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a[:1][0].weight, c[:1][0].weight)  # type: ignore[arg-type]


def test_relu_layers_start_with_positive_bias_and_he_scale() -> None:
    net = FoldNet((32,) * 3, "relu", seed=0)
    hidden = net.body[2]
    assert isinstance(hidden, nn.Linear)
    assert torch.all(hidden.bias == 0.1)
    assert 0.15 < float(hidden.weight.detach().std()) < 0.35  # sqrt(2/32) = 0.25


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="width"):
        FoldNet((2, 0))
    with pytest.raises(ValueError, match="classes"):
        FoldNet((2,), classes=0)


def test_repr_names_the_architecture() -> None:
    want = "FoldNet(widths=[2, 2], activation='tanh', classes=3)"
    assert repr(FoldNet((2, 2), "tanh", 3)) == want


def test_transplant_keeps_the_layers_whose_shapes_did_not_change() -> None:
    old = FoldNet((2, 2, 2), seed=1)
    new = FoldNet((2, 2, 2, 2), seed=2)
    assert transplant(old, new) == [1, 2, 3, 5]
    for i in (1, 2, 3):
        assert torch.equal(new.linear(i).weight, old.linear(i).weight)
    assert torch.equal(new.linear(5).bias, old.linear(4).bias)  # the classifier
    assert not torch.equal(new.linear(4).weight, old.linear(3).weight)  # the new layer is fresh
    wider = FoldNet((2, 8, 2), seed=3)
    assert transplant(old, wider) == [1, 4]


def test_input_features_form_a_stage_of_their_own() -> None:
    net = FoldNet((3,), "tanh", 2, seed=0, features=("x1", "x2", "x1*x2", "sin(x2)"))
    x = torch.randn(30, 2)
    stages = net.stages(x)
    assert [s.kind for s in net.stage_info()] == ["input", "features", "affine", "fold", "output"]
    want = torch.stack([x[:, 0], x[:, 1], x[:, 0] * x[:, 1], torch.sin(x[:, 1])], dim=1)
    torch.testing.assert_close(stages[1], want)
    for k, stage in enumerate(stages):
        torch.testing.assert_close(stage, net[:k](x))
    assert net.linear(1).weight.shape == (3, 4)
    assert "features=" in repr(net)
    with pytest.raises(ValueError, match="features"):
        FoldNet((2,), features=("x1", "x3"))


def test_changing_features_keeps_the_deeper_layers() -> None:
    old = FoldNet((4, 4), seed=0)
    new = FoldNet((4, 4), seed=1, features=("x1", "x2", "x1^2"))
    assert transplant(old, new) == [2, 3]
