import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nets.conv import ConvNet, ConvSpec, LayerSpec, output_size
from nets.sharing import (
    BLUR_1D,
    BLUR_2D,
    EDGE_1D,
    EDGE_2D,
    KERNELS_1D,
    KERNELS_2D,
    SHARPEN_1D,
    convolve,
    convolve1d,
    cross_correlate1d,
    shared_gradient,
    shift,
    shift_errors,
    toeplitz,
)
from nets.signals import MOTIFS, motif_signals

SETTINGS = [
    case
    for case in itertools.product((1, 3, 5), (1, 2, 3), (0, 1, 2, 4), (1, 2))
    if output_size(17, case[0], case[2], case[1], case[3]) >= 1
]


def test_toeplitz_times_a_signal_is_torchs_conv1d() -> None:
    gen = torch.Generator().manual_seed(0)
    for taps, stride, padding, dilation in SETTINGS:
        kernel, x = torch.randn(taps, generator=gen), torch.randn(17, generator=gen)
        matrix, _ = toeplitz(kernel, 17, stride, padding, dilation)
        expected = F.conv1d(
            x[None, None], kernel[None, None], stride=stride, padding=padding, dilation=dilation
        )[0, 0]
        torch.testing.assert_close(matrix @ x, expected)


def test_toeplitz_of_many_channels_is_torchs_conv1d() -> None:
    gen = torch.Generator().manual_seed(1)
    kernel, x = torch.randn(3, 2, 4, generator=gen), torch.randn(2, 15, generator=gen)
    matrix, _ = toeplitz(kernel, 15, stride=2, padding=1, dilation=2)
    expected = F.conv1d(x[None], kernel, stride=2, padding=1, dilation=2)[0]
    assert matrix.shape == (3 * expected.shape[1], 2 * 15)
    torch.testing.assert_close(matrix @ x.reshape(-1), expected.reshape(-1))


def test_the_sharing_map_says_which_weight_each_entry_copies() -> None:
    kernel = torch.tensor([10.0, 20.0, 30.0])
    matrix, index = toeplitz(kernel, 8, padding=1)
    torch.testing.assert_close(matrix[index >= 0], kernel[index[index >= 0]])
    assert bool((matrix[index < 0] == 0).all())
    # Banded: row p reads inputs p - 1 .. p + 1; the padding cuts the first and last rows.
    assert index[3].tolist() == [-1, -1, 0, 1, 2, -1, -1, -1]
    assert index[0].tolist()[:2] == [1, 2] and index[7].tolist()[-2:] == [0, 1]
    # Each weight has one copy per output position it meets: 8, less one cut at a border.
    assert [int((index == k).sum()) for k in range(3)] == [7, 8, 7]


def test_the_toeplitz_matrix_is_mostly_structural_zeros() -> None:
    """A dense layer from 64 inputs to 64 outputs has 4096 free weights; the conv has 5."""
    _, index = toeplitz(torch.ones(5), 64, padding=2)
    assert int((index >= 0).sum()) == 64 * 5 - 6 and index.numel() == 4096
    assert int(index.max()) == 4


@pytest.mark.parametrize(("taps", "stride", "padding", "dilation"), SETTINGS[::3])
def test_a_shared_weights_gradient_is_the_sum_of_its_copies(
    taps: int, stride: int, padding: int, dilation: int
) -> None:
    gen = torch.Generator().manual_seed(taps * 100 + stride * 10 + padding + dilation)
    kernel = torch.randn(2, 3, taps, generator=gen)
    signal = torch.randn(4, 3, 17, generator=gen)
    target = torch.randn(4, 2, output_size(17, taps, padding, stride, dilation), generator=gen)

    def loss(out: torch.Tensor) -> torch.Tensor:
        return ((torch.tanh(out) - target) ** 2).mean()

    grads = shared_gradient(kernel, signal, loss, stride, padding, dilation)
    assert grads.entries.shape == (2 * target.shape[2], 3 * 17)
    torch.testing.assert_close(grads.summed, grads.conv, rtol=1e-4, atol=1e-6)
    assert float(grads.conv.abs().max()) > 0


def test_the_entries_gradients_differ_from_copy_to_copy() -> None:
    """Each copy sees its own window, so its gradient is its own: only their sum is shared."""
    gen = torch.Generator().manual_seed(0)
    kernel, signal = torch.randn(1, 1, 3, generator=gen), torch.randn(1, 1, 10, generator=gen)
    grads = shared_gradient(kernel, signal, lambda y: (y**2).sum())
    copies = grads.entries.diagonal()  # every copy of weight 0
    assert copies.shape == (8,) and float(copies.std()) > 0.1
    torch.testing.assert_close(copies.sum(), grads.conv[0, 0, 0])


def test_convolution_by_its_definition_is_numpys() -> None:
    rng = np.random.default_rng(0)
    for length, taps in [(10, 3), (7, 7), (12, 4), (5, 1)]:
        x, h = rng.normal(size=length), rng.normal(size=taps)
        np.testing.assert_allclose(convolve1d(x, h), np.convolve(x, h))


def test_convolution_is_cross_correlation_with_the_flipped_kernel() -> None:
    rng = np.random.default_rng(1)
    x, h = rng.normal(size=12), rng.normal(size=4)
    np.testing.assert_allclose(convolve1d(x, h), cross_correlate1d(x, h[::-1]))
    assert not np.allclose(convolve1d(x, h), cross_correlate1d(x, h))
    # A symmetric kernel is its own flip: then the two are the same thing.
    np.testing.assert_allclose(convolve1d(x, BLUR_1D), cross_correlate1d(x, BLUR_1D))
    # Convolution commutes (signal and kernel play the same part); cross-correlation does not.
    np.testing.assert_allclose(convolve1d(x, h), convolve1d(h, x))
    assert not np.allclose(cross_correlate1d(x, h), cross_correlate1d(h, x))


def test_cross_correlation_is_what_torch_calls_convolution() -> None:
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=11), rng.normal(size=4)
    torch_out = F.conv1d(torch.tensor(x)[None, None], torch.tensor(h)[None, None], padding=3)
    np.testing.assert_allclose(cross_correlate1d(x, h), torch_out[0, 0].numpy())


def test_torch_convolve_flips_every_spatial_axis() -> None:
    rng = np.random.default_rng(3)
    x, h = rng.normal(size=9), rng.normal(size=3)
    out = convolve(torch.tensor(x)[None, None], torch.tensor(h)[None, None])
    np.testing.assert_allclose(out[0, 0].numpy(), np.convolve(x, h))
    image, kernel = torch.randn(1, 1, 8, 8), torch.randn(1, 1, 3, 3)
    flipped = F.conv2d(image, kernel.flip((2, 3)), padding=2)
    torch.testing.assert_close(convolve(image, kernel), flipped)
    assert not torch.allclose(convolve(image, kernel), F.conv2d(image, kernel, padding=2))


def test_classic_kernels() -> None:
    assert set(KERNELS_1D) == {"edge", "blur", "sharpen"} <= set(KERNELS_2D)
    for name, total in [("edge", 0.0), ("blur", 1.0), ("sharpen", 1.0)]:
        assert KERNELS_1D[name].sum() == total and KERNELS_2D[name].sum() == total
    step = np.r_[np.zeros(6), np.ones(6)]
    edges = cross_correlate1d(step, EDGE_1D)[2:-2]  # the "valid" part
    assert np.argmax(edges) in (4, 5) and edges[0] == 0 and edges[-1] == 0
    np.testing.assert_allclose(cross_correlate1d(np.full(8, 3.0), BLUR_1D)[2:-2], 3.0)
    sharpened = cross_correlate1d(step, SHARPEN_1D)[2:-2]
    assert sharpened.min() < 0 and sharpened.max() > 1  # over- and undershoot at the edge
    image = torch.zeros(1, 1, 6, 6)
    image[..., 3:] = 1.0  # a vertical edge
    sobel = F.conv2d(image, torch.tensor(EDGE_2D)[None, None])[0, 0]
    assert bool((sobel[:, 1:3] > 0).all()) and bool((sobel[:, 0] == 0).all())
    blurred = F.conv2d(torch.ones(1, 1, 5, 5), torch.tensor(BLUR_2D)[None, None])
    torch.testing.assert_close(blurred, torch.ones(1, 1, 3, 3))


def test_shift_moves_with_zeros_filling_in() -> None:
    x = torch.arange(1.0, 6.0)[None, None]
    assert shift(x, [2]).tolist() == [[[0.0, 0.0, 1.0, 2.0, 3.0]]]
    assert shift(x, [-1]).tolist() == [[[2.0, 3.0, 4.0, 5.0, 0.0]]]
    assert shift(x, [9]).abs().sum() == 0
    image = torch.arange(9.0).reshape(1, 1, 3, 3)
    assert shift(image, [1, -1])[0, 0].tolist() == [[0, 0, 0], [1, 2, 0], [4, 5, 0]]


def _stack(unshared: bool, dims: int = 1) -> ConvNet:
    layers = (LayerSpec(4, 5), LayerSpec(3, 3, dilation=2))
    return ConvNet(ConvSpec((24,) * dims, layers, unshared=unshared), seed=0)


@pytest.mark.parametrize("by", [1, 3, -4])
def test_a_shared_same_layer_is_exactly_equivariant_away_from_the_borders(by: int) -> None:
    net = _stack(unshared=False)
    x = torch.randn(6, 1, 24, generator=torch.Generator().manual_seed(by + 10))
    report = shift_errors(net, x, by)
    assert len(report.stages) == 5
    for stage in report.stages:
        assert stage.error is not None and stage.error < 1e-6
    # At the borders the zero padding meets the shifted-in zeros: there it is not.
    assert not torch.allclose(net.stages(shift(x, [by]))[1], shift(net.stages(x)[1], [by]))


def test_a_2d_shared_layer_is_equivariant_too() -> None:
    net = _stack(unshared=False, dims=2)
    report = shift_errors(net, torch.randn(2, 1, 24, 24), (2, -3))
    assert all(s.error is not None and s.error < 1e-6 for s in report.stages)


@pytest.mark.parametrize("dims", [1, 2])
def test_an_unshared_layer_is_not_equivariant(dims: int) -> None:
    net = _stack(unshared=True, dims=dims)
    x = torch.randn(6, 1, *(24,) * dims, generator=torch.Generator().manual_seed(0))
    report = shift_errors(net, x, 2 if dims == 1 else (2, 2))
    assert report.stages[0].error == 0  # the input itself moves exactly
    for stage in report.stages[1:]:
        assert stage.error is not None and stage.error > 0.1


def test_a_stride_keeps_equivariance_only_for_whole_steps() -> None:
    net = ConvNet(ConvSpec((32,), (LayerSpec(4, 3, stride=2),), pool="max"), seed=0)
    x = torch.randn(4, 1, 32)
    one, four = shift_errors(net, x, 1), shift_errors(net, x, 4)
    assert [s.error is None for s in one.stages] == [False, True, True, True]
    assert all(s.error is not None and s.error < 1e-6 for s in four.stages)


def test_global_max_pooling_forgets_where_the_motif_was() -> None:
    """A clean motif in an empty signal, moved: the shared net's pooled features stay put, as
    long as the motif keeps the receptive field's reach (4 samples here) from the borders."""
    signals = motif_signals(20, 24, (MOTIFS["chirp"],), 0.0, seed=0, where=(8, 10))
    x = torch.from_numpy(signals.x)
    shared, unshared = _stack(unshared=False), _stack(unshared=True)
    for by in (-4, 2, 4):
        assert shift_errors(shared, x, by).invariance < 1e-6
        assert shift_errors(unshared, x, by).invariance > 0.1


def test_shift_errors_needs_one_shift_per_axis() -> None:
    with pytest.raises(ValueError):
        shift_errors(_stack(unshared=False), torch.randn(1, 1, 24), (1, 1))
