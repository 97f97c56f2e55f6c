"""A conv frame shows what the network computes: every array checked against torch, computed
here independently of nets.conv's forward pass (its padding, unfolding and readout)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.conv.frame import NO_COPY, conv_frame, render_conv
from engine.conv.schemas import ConvConfig
from engine.conv.session import ConvSession, class_names, make_spec
from engine.encoding import decode_frame
from engine.schemas import merge_config
from nets.conv import ConvNet, LocalConv, SharedConv, conv_parameter_count
from nets.model import LEAKY_SLOPE
from nets.sharing import shift

Arrays = dict[str, np.ndarray]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
}

MOTIFS: dict[str, Any] = {"kind": "motifs"}

#: Between them: glyphs and motifs, pooling, strides, dilation, every padding, an even kernel,
#: unshared layers, every readout, three classes, and a shift along every axis.
CONFIGS: dict[str, dict[str, Any]] = {
    "glyphs": {},
    "glyphs-pool-two-layers": {
        "model": {"layers": [{"channels": 3}, {"channels": 5, "kernel": 2}], "pool": "max"},
        "view": {"example": 3},
    },
    "glyphs-stride-dilation-valid": {
        "model": {
            "layers": [{"channels": 3, "stride": 2, "padding": "valid", "dilation": 2}],
            "activation": "tanh",
        }
    },
    "glyphs-full-avg-flatten": {
        "model": {
            "layers": [{"channels": 2, "kernel": 4, "padding": "full"}],
            "pool": "avg",
            "readout": "flatten",
        }
    },
    "glyphs-unshared": {
        "data": {"size": 12},
        "model": {"layers": [{"channels": 2, "stride": 2}], "unshared": True, "readout": "avg"},
    },
    "glyphs-three-shifted": {"data": {"glyphs": ["C", "D", "L"]}, "view": {"shift": [2, -3]}},
    "motifs": {"data": MOTIFS},
    "motifs-deep": {
        "data": MOTIFS,
        "model": {
            "layers": [
                {"channels": 3, "kernel": 5, "stride": 2, "padding": "full", "dilation": 2},
                {"channels": 4, "kernel": 2, "padding": "valid"},
            ],
            "pool": "avg",
            "readout": "flatten",
            "activation": "leaky_relu",
        },
    },
    "motifs-unshared": {
        "data": MOTIFS,
        "model": {
            "layers": [
                {"channels": 3, "kernel": 4, "stride": 2},
                {"channels": 2, "dilation": 2, "padding": "valid"},
            ],
            "unshared": True,
            "pool": "max",
        },
    },
    "motifs-which-shifted": {
        "data": {**MOTIFS, "motifs": ["bump", "step", "zigzag"], "motif_mode": "which"},
        "view": {"shift": [-5]},
    },
}


def session_of(changes: dict[str, Any], steps: int = 3) -> ConvSession:
    """A session of ``changes``, trained a few steps (so that biases are not all zero)."""
    session = ConvSession(merge_config(ConvConfig(), changes))
    if steps:
        session.step(steps)
    return session


def frame_of(session: ConvSession) -> tuple[dict[str, Any], Arrays]:
    """The frame as the page receives it: encoded, then decoded."""
    header, arrays = decode_frame(render_conv(session))
    return header, arrays


# -------------------------------------------------------------------- the independent net


def pads(padding: str, kernel: int, dilation: int) -> tuple[int, int]:
    span = dilation * (kernel - 1)
    return {"valid": (0, 0), "full": (span, span), "same": (span // 2, span - span // 2)}[padding]


def local_layer(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, kernel: int, stride: int, dil: int
) -> torch.Tensor:
    """A locally connected layer by its definition, position by position (rows, then columns):
    ``out[c, p] = weight[p, c] · window_p + bias[c, p]``, the window input channel by channel,
    row by row."""
    spatial = x.shape[2:]
    out_shape = [(w - dil * (kernel - 1) - 1) // stride + 1 for w in spatial]
    taps = torch.arange(kernel) * dil
    columns = []
    for p, place in enumerate(np.ndindex(*out_shape)):
        if len(spatial) == 1:
            window = x[0, :, place[0] * stride + taps]
        else:
            rows = (place[0] * stride + taps)[:, None]
            cols = (place[1] * stride + taps)[None, :]
            window = x[0, :, rows, cols]
        columns.append(weight[p] @ window.reshape(-1) + bias[:, p])
    return torch.stack(columns, dim=1).reshape(1, -1, *out_shape)


def reference_stages(session: ConvSession, x: torch.Tensor) -> list[torch.Tensor]:
    """Every stage of the session's net for one input ``x`` (channels first), from torch's own
    conv, pool and activation functions and the config alone."""
    model, net = session.config.model, session.net
    dims = x.ndim - 1
    h = x[None]
    out = [h]
    for spec, layer in zip(model.layers, net.conv_layers(), strict=True):
        before, after = pads(spec.padding, spec.kernel, spec.dilation)
        padded = F.pad(h, (before, after) * dims)
        if model.unshared:
            z = local_layer(
                padded, layer.weight, layer.bias, spec.kernel, spec.stride, spec.dilation
            )
        else:
            conv = F.conv1d if dims == 1 else F.conv2d
            z = conv(padded, layer.weight, layer.bias, stride=spec.stride, dilation=spec.dilation)
        h = ACTIVATIONS[model.activation](z)
        out += [z, h]
        if model.pool != "none":
            pool = {
                ("max", 1): torch.nn.MaxPool1d,
                ("max", 2): torch.nn.MaxPool2d,
                ("avg", 1): torch.nn.AvgPool1d,
                ("avg", 2): torch.nn.AvgPool2d,
            }[model.pool, dims](2)
            h = pool(h)
            out.append(h)
    spatial = tuple(range(2, h.ndim))
    if model.readout == "max":
        h = h.amax(dim=spatial)
    elif model.readout == "avg":
        h = h.mean(dim=spatial)
    else:
        h = h.flatten(1)
    classifier = net.body[-1]
    assert isinstance(classifier, torch.nn.Linear)
    return [*out, h, h @ classifier.weight.T + classifier.bias]


def shown_input(session: ConvSession) -> torch.Tensor:
    """The test sample (or the drawn input) moved by view.shift, zero-filled."""
    x, _, _ = session.example()
    moved = shift(torch.from_numpy(np.array(x)), list(session.config.view.shift))
    return moved


def close(found: np.ndarray, expected: torch.Tensor | np.ndarray, what: str) -> None:
    want = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    assert found.shape == want.shape, what
    np.testing.assert_allclose(found, want, rtol=1e-4, atol=1e-5, err_msg=what)


# ------------------------------------------------------------------------------- stages


@pytest.mark.parametrize("name", CONFIGS)
def test_every_stage_is_what_torch_computes_for_the_shown_input(name: str) -> None:
    session = session_of(CONFIGS[name])
    header, arrays = frame_of(session)
    x = shown_input(session)
    with torch.no_grad():
        expected = reference_stages(session, x)
    assert len(header["stages"]) == len(expected)
    assert sorted(k for k in arrays if k.startswith("stage/")) == sorted(
        f"stage/{k}" for k in range(len(expected))
    )
    for k, want in enumerate(expected):
        close(arrays[f"stage/{k}"], want[0], f"stage/{k} of {name}")
    if any(session.config.view.shift):  # the input really was moved, not merely relabelled
        assert not np.array_equal(arrays["stage/0"], session.example()[0])


@pytest.mark.parametrize("name", ["glyphs-pool-two-layers", "motifs-deep", "motifs-unshared"])
def test_every_kernel_and_bias_is_the_nets(name: str) -> None:
    session = session_of(CONFIGS[name])
    _, arrays = frame_of(session)
    layers = session.net.conv_layers()
    assert {k for k in arrays if k.startswith(("kernel/", "bias/"))} == {
        f"{kind}/{k}" for kind in ("kernel", "bias") for k in range(len(layers))
    }
    for k, layer in enumerate(layers):
        close(arrays[f"kernel/{k}"], layer.weight, f"kernel/{k}")
        close(arrays[f"bias/{k}"], layer.bias, f"bias/{k}")
        if isinstance(layer, LocalConv):  # (positions, C_out, C_in·F^d) and (C_out, positions)
            positions = math.prod(layer.out_shape)
            assert arrays[f"kernel/{k}"].shape[::2][0] == positions
            assert arrays[f"bias/{k}"].shape == (layer.layer.channels, positions)
        else:
            assert arrays[f"bias/{k}"].shape == (layer.layer.channels,)


def test_the_stage_facts_say_kind_layer_step_and_field() -> None:
    session = session_of(CONFIGS["motifs-deep"], steps=0)
    header, _ = conv_frame(session)
    # input; conv, activation, pool of layer 0 (kernel 5, dilation 2, stride 2: field 1 + 8,
    # step 2; pooling adds a step and doubles it); the same of layer 1 (kernel 2: field + 4).
    assert header["stages"] == [
        {"kind": "input", "layer": None, "stride": 1, "field": 1},
        {"kind": "conv", "layer": 0, "stride": 2, "field": 9},
        {"kind": "activation", "layer": 0, "stride": 2, "field": 9},
        {"kind": "pool", "layer": 0, "stride": 4, "field": 11},
        {"kind": "conv", "layer": 1, "stride": 4, "field": 15},
        {"kind": "activation", "layer": 1, "stride": 4, "field": 15},
        {"kind": "pool", "layer": 1, "stride": 8, "field": 19},
        {"kind": "readout", "layer": 1},
        {"kind": "logits", "layer": 1},
    ]


@pytest.mark.parametrize("data", [{}, MOTIFS])
def test_a_drawn_input_is_shown_and_answered(data: dict[str, Any]) -> None:
    session = session_of({"data": data, "view": {"example": 2}})
    shape = session.test.x.shape[1:]
    drawn = np.random.default_rng(5).uniform(-1, 1, shape).astype(np.float32)
    session.set_input([float(v) for v in drawn.ravel()])
    header, arrays = frame_of(session)
    close(arrays["stage/0"], drawn, "the drawn input")
    with torch.no_grad():
        expected = reference_stages(session, torch.from_numpy(drawn))
    for k, want in enumerate(expected):
        close(arrays[f"stage/{k}"], want[0], f"stage/{k}")
    scores = expected[-1][0].softmax(0)
    example = header["example"]
    assert example["drawn"] is True and example["label"] is None and example["index"] == 2
    assert example["predicted"] == int(scores.argmax())
    close(np.array(example["scores"], dtype=np.float32), scores, "scores")
    assert not any(k.startswith("matrix/") and k != "matrix/index" for k in arrays)
    session.set_input(None)  # back to the test sample
    header, arrays = frame_of(session)
    close(arrays["stage/0"], session.test.x[2], "the test sample again")
    assert header["example"]["label"] == int(session.test.labels[2])


def test_the_header_says_what_the_session_holds() -> None:
    session = session_of(CONFIGS["motifs-which-shifted"])
    header, _ = frame_of(session)
    m = session.trainer.metrics()
    assert header["type"] == "conv_frame" and header["step"] == 3
    assert header["generation"] == session.generation
    assert header["classes"] == class_names(session.config.data) == ["bump", "step", "zigzag"]
    for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
        assert header["metrics"][key] == pytest.approx(getattr(m, key), rel=1e-6)
    assert header["example"]["index"] == 0 and header["example"]["drawn"] is False
    assert header["example"]["label"] == int(session.test.labels[0])


# ------------------------------------------------------------------------------ gallery


@pytest.mark.parametrize("name", ["glyphs", "motifs-unshared"])
def test_the_gallery_is_the_first_test_samples_and_the_nets_answers(name: str) -> None:
    session = session_of(CONFIGS[name])
    header, arrays = frame_of(session)
    close(arrays["gallery/x"], session.test.x[:8], "gallery/x")
    with torch.no_grad():
        logits = torch.cat(
            [reference_stages(session, torch.from_numpy(x))[-1] for x in session.test.x[:8]]
        )
    close(arrays["gallery/scores"], logits.softmax(1), "gallery/scores")
    assert header["gallery"]["labels"] == session.test.labels[:8].tolist()
    assert header["gallery"]["predicted"] == logits.argmax(1).tolist()


# ---------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "name", ["glyphs", "glyphs-pool-two-layers", "glyphs-unshared", "motifs-deep"]
)
def test_the_parameter_counts_are_both_nets(name: str) -> None:
    session = session_of(CONFIGS[name], steps=0)
    header, _ = conv_frame(session)
    counts = {}
    for kind, unshared in (("shared", False), ("unshared", True)):
        changes = merge_config(session.config, {"model": {"unshared": unshared}})
        twin = ConvNet(make_spec(changes))
        counts[kind] = sum(p.numel() for p in twin.parameters())
        assert conv_parameter_count(twin.spec) == counts[kind]
    assert header["parameters"] == counts
    assert counts["unshared"] > counts["shared"]


# ------------------------------------------------------------------------- the matrix H(u)

MATRIX_LAYERS: dict[str, dict[str, Any]] = {
    "same": {"channels": 3},
    "even-same-stride-2": {"channels": 2, "kernel": 4, "stride": 2},
    "full-dilation-2": {"channels": 2, "kernel": 5, "padding": "full", "dilation": 2},
    "valid-stride-3": {"channels": 3, "padding": "valid", "stride": 3},
}


def matrix_session(layer: str, **view: Any) -> ConvSession:
    return session_of(
        {"data": MOTIFS, "model": {"layers": [MATRIX_LAYERS[layer]]}, "view": view}, steps=5
    )


def expanded(arrays: Arrays) -> np.ndarray:
    """``H(u)``: every entry the kernel weight ``matrix/index`` names, 0 for a structural zero."""
    index = arrays["matrix/index"].astype(np.int64)
    kernel = arrays["kernel/0"].ravel()
    return np.where(index == NO_COPY, 0.0, kernel[np.minimum(index, kernel.size - 1)])


@pytest.mark.parametrize("layer", MATRIX_LAYERS)
def test_the_matrix_times_the_input_is_the_conv_output(layer: str) -> None:
    session = matrix_session(layer, shift=[4])
    _, arrays = frame_of(session)
    index = arrays["matrix/index"]
    conv = arrays["stage/1"]  # (C_out, L_out), bias included
    c_out, l_out = conv.shape
    assert index.dtype == np.uint16 and index.shape == (c_out * l_out, arrays["stage/0"].size)
    assert (index == NO_COPY).any() and (index != NO_COPY).any()
    product = expanded(arrays) @ arrays["stage/0"].ravel()
    close(product.astype(np.float32), (conv - arrays["bias/0"][:, None]).ravel(), "W x")


def unshared_twin(session: ConvSession) -> tuple[ConvNet, LocalConv]:
    """The session's net with its first layer replaced by a locally connected one tied to it:
    every position its own copy of the kernel."""
    twin = copy.deepcopy(session.net)
    first = twin.body[0]
    assert isinstance(first, SharedConv)
    local = LocalConv(1, 1, first.layer, session.net.spec.input_shape)
    local.tie_to(first)
    twin.body[0] = local
    return twin, local


@pytest.mark.parametrize(
    ("layer", "by"),
    [(layer, []) for layer in MATRIX_LAYERS] + [("same", [6]), ("valid-stride-3", [-7])],
)
def test_the_shared_gradient_is_the_sum_of_its_copies_gradients(layer: str, by: list[int]) -> None:
    """For the input shown (moved, when view.shift says so)."""
    session = matrix_session(layer, shift=by)
    header, arrays = frame_of(session)
    close(arrays["matrix/summed"], arrays["matrix/conv"], "summed vs conv")
    x = torch.tensor(arrays["stage/0"])[None]
    label = torch.tensor([header["example"]["label"]])
    twin, local = unshared_twin(session)
    maps = local(x)
    maps.retain_grad()
    logits = twin.body[1:](maps)
    last = len(header["stages"]) - 1
    close(arrays[f"stage/{last}"], logits[0], "the tied twin computes what the net does")
    F.cross_entropy(logits, label).backward()  # type: ignore[no-untyped-call]
    per_position = local.weight.grad
    assert per_position is not None
    c_out, c_in, taps = arrays["kernel/0"].shape
    summed = per_position.sum(0).reshape(c_out, c_in, taps)
    close(arrays["matrix/summed"], summed, "the twin's copies summed")
    close(arrays["matrix/conv"], summed, "the conv's kernel gradient")
    assert float(summed.abs().max()) > 1e-6  # a real gradient, not zeros on both sides

    # Every entry's gradient is a free linear layer's, outer(dL/dy, x); at a copy of weight
    # (o, i, k) in row (o, p) it is position p's own gradient of that weight in the twin.
    grad, index = arrays["matrix/grad"], arrays["matrix/index"].astype(np.int64)
    assert maps.grad is not None
    close(grad, torch.outer(maps.grad.reshape(-1), x.reshape(-1)), "matrix/grad")
    rows, cols = np.nonzero(index != NO_COPY)
    o, p = np.divmod(rows, maps.shape[-1])
    o_k, i, k = np.unravel_index(index[rows, cols], (c_out, c_in, taps))
    assert (o_k == o).all() and (i == cols // x.shape[-1]).all()
    close(grad[rows, cols], per_position[p, o, i * taps + k], "each copy's gradient")


@pytest.mark.parametrize(
    "changes",
    [{}, {"data": MOTIFS, "model": {"unshared": True}}],
    ids=["two-dimensional", "unshared"],
)
def test_only_a_shared_1d_first_layer_is_drawn_as_a_matrix(changes: dict[str, Any]) -> None:
    _, arrays = frame_of(session_of(changes, steps=0))
    assert not any(k.startswith("matrix/") for k in arrays)


# ------------------------------------------------------------------------------------ shift


def central_example(session: ConvSession, margin: int) -> int:
    """A test sample whose motif lies at least ``margin`` samples from either end."""
    length = session.config.data.length
    for i, (where, label) in enumerate(
        zip(session.test.positions, session.test.labels, strict=True)
    ):
        if label == 1 and margin <= where <= length - margin - 7:
            return i
    raise AssertionError("no central motif")


def shifted_motif(unshared: bool) -> dict[str, Any]:
    probe = session_of({"data": {**MOTIFS, "noise": 0.0}}, steps=0)
    index = central_example(probe, 12)
    session = session_of(
        {
            "data": {**MOTIFS, "noise": 0.0},
            "model": {
                "layers": [{"channels": 4}, {"channels": 4, "kernel": 5}],
                "unshared": unshared,
            },
            "view": {"example": index, "shift": [3]},
        },
        steps=20,
    )
    header, _ = conv_frame(session)
    assert header["shift"]["by"] == [3]
    assert len(header["shift"]["equivariance"]) == len(session.net.shapes)
    shift_report: dict[str, Any] = header["shift"]
    return shift_report


def test_shared_stages_move_with_the_input_and_global_max_stays() -> None:
    report = shifted_motif(unshared=False)
    assert all(e is not None and e < 1e-5 for e in report["equivariance"])
    assert report["invariance"] < 1e-5


def test_unshared_stages_do_not_move_with_the_input() -> None:
    report = shifted_motif(unshared=True)
    assert report["equivariance"][0] < 1e-6  # the input itself moves, of course
    assert max(report["equivariance"][1:]) > 0.01
    assert report["invariance"] > 0.01


def test_a_2d_shift_moves_every_stride_1_stage() -> None:
    session = session_of(
        {"model": {"layers": [{"channels": 3}, {"channels": 3}]}, "view": {"shift": [1, -2]}}
    )
    header, _ = conv_frame(session)
    assert header["shift"]["by"] == [1, -2]
    assert all(e is not None and e < 1e-5 for e in header["shift"]["equivariance"])


def test_a_shift_that_is_no_whole_step_of_a_stage_has_no_equivariance_there() -> None:
    layers = [{"channels": 3, "stride": 2}]
    for by, after_stride in ((3, None), (4, 0.0)):
        session = session_of({"data": MOTIFS, "model": {"layers": layers}, "view": {"shift": [by]}})
        header, _ = conv_frame(session)
        errors = header["shift"]["equivariance"]
        assert len(errors) == 3 and errors[0] is not None  # the input, the conv, its activation
        if after_stride is None:
            assert errors[1] is None and errors[2] is None
        else:
            assert errors[1] < 1e-5 and errors[2] < 1e-5


def test_no_shift_no_shift_report() -> None:
    session = session_of({"view": {"shift": [0, 0]}}, steps=0)
    assert conv_frame(session)[0]["shift"] is None


# ------------------------------------------------------------------------------ compare


@pytest.mark.parametrize("name", ["glyphs-pool-two-layers", "motifs-deep", "glyphs-unshared"])
def test_compare_holds_every_spatial_stage_of_the_first_four_test_samples(name: str) -> None:
    changes = merge_config(ConvConfig(), CONFIGS[name]).model_dump(mode="json")
    changes["view"].update(compare=True, example=6)  # another sample shown: compare stays
    session = session_of(changes)
    header, arrays = frame_of(session)
    spatial = [k for k, s in enumerate(header["stages"]) if "field" in s]
    assert sorted(k for k in arrays if k.startswith("compare/")) == sorted(
        f"compare/{k}" for k in spatial
    )
    with torch.no_grad():
        per_sample = [reference_stages(session, torch.from_numpy(x)) for x in session.test.x[:4]]
        body = session.net.body
        batch = torch.from_numpy(session.test.x[:4])
        for k in spatial:
            want = torch.cat([stages[k] for stages in per_sample])
            close(arrays[f"compare/{k}"], want, f"compare/{k} of {name}")
            close(arrays[f"compare/{k}"], body[:k](batch), f"compare/{k}: the body's first {k}")
        logits = torch.cat([stages[-1] for stages in per_sample])
    assert header["compare"] == {
        "indices": [0, 1, 2, 3],
        "labels": session.test.labels[:4].tolist(),
        "predicted": logits.argmax(1).tolist(),
    }
    assert header["example"]["index"] == 6
    assert not np.array_equal(arrays["stage/0"], arrays["compare/0"][0])


def test_no_compare_arrays_when_it_is_off() -> None:
    session = session_of({"view": {"example": 1}})
    header, arrays = frame_of(session)
    assert header["compare"] is None
    assert not any(k.startswith("compare/") for k in arrays)
    session.configure(merge_config(session.config, {"view": {"compare": True}}))
    header, arrays = frame_of(session)
    assert header["compare"]["indices"] == [0, 1, 2, 3]
    assert arrays["compare/0"].shape == (4, *session.test.x.shape[1:])
    close(arrays["compare/0"], session.test.x[:4], "compare/0: the samples themselves")
