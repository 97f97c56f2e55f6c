"""A convolution frame: what the conv net computes for the shown input, packed for the page.

Stage ``k`` of the frame is ``net.body[:k](x)`` for the shown input ``x`` (the test sample or
the user's own, moved by ``view.shift``): the input, every conv layer's maps, its activation and
pooling, the readout and the class scores. Beside them: every layer's kernels and biases, the
metrics, a gallery of test samples with the net's answers, for a 1-D net the first layer as the
matrix it is (which kernel weight every entry copies, and the gradient of every copy for the
shown sample beside their sums), and, while the input is moved, how far each stage is from
moving with it (equivariance) and the readout from staying (invariance). With
``view.compare`` on, also every spatial stage of the first few test samples, side by side.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.arrays import finite
from engine.conv.session import ConvSession, class_names
from engine.encoding import encode_frame
from nets.conv import GlobalPool, LocalConv, SharedConv, conv_parameter_count, pad_amounts
from nets.sharing import shared_gradient, sharing_map, shift, shift_errors

GALLERY = 8  # test samples shown side by side
COMPARE = 4  # test samples whose maps are compared (view.compare)
SPATIAL = ("input", "conv", "activation", "pool")  # the stages with maps
NO_COPY = 65535  # a matrix entry that copies no kernel weight (a structural zero)


def _kind(module: nn.Module) -> str:
    if isinstance(module, SharedConv | LocalConv):
        return "conv"
    if isinstance(module, nn.MaxPool1d | nn.MaxPool2d | nn.AvgPool1d | nn.AvgPool2d):
        return "pool"
    if isinstance(module, GlobalPool | nn.Flatten):
        return "readout"
    if isinstance(module, nn.Linear):
        return "logits"
    return "activation"


def stage_facts(session: ConvSession) -> list[dict[str, Any]]:
    """What every stage is: its kind, its conv layer (0-based), and for a spatial stage its
    step in input samples and the receptive field of one position."""
    net = session.net
    facts: list[dict[str, Any]] = [{"kind": "input", "layer": None}]
    layer = -1
    for module in net.body:
        kind = _kind(module)
        layer += kind == "conv"
        facts.append({"kind": kind, "layer": layer if layer >= 0 else None})
    for fact, geo in zip(facts, net.shapes, strict=False):
        fact.update(stride=geo.stride, field=geo.receptive_field)
    return facts


def _padded(x: torch.Tensor, layer: SharedConv) -> tuple[torch.Tensor, int]:
    before, after = pad_amounts(layer.layer.padding, layer.layer.kernel, layer.layer.dilation)
    return F.pad(x, (before, after)), before


def matrix_arrays(session: ConvSession, x: torch.Tensor, label: int | None) -> dict[str, Any]:
    """A 1-D net's first layer as its matrix: ``matrix/index`` (which kernel weight each entry
    copies, :data:`NO_COPY` for none; rows are output channel by position, columns input
    channel by sample) and, for a labelled input, ``matrix/grad`` (every copy's gradient of
    the sample's loss), ``matrix/summed`` (their sums per kernel weight) and ``matrix/conv``
    (the kernel's gradient as torch's conv computes it)."""
    first = session.net.conv_layers()[0]
    if session.config.data.dims != 1 or not isinstance(first, SharedConv):
        return {}
    padded, before = _padded(x[None], first)
    length = x.shape[-1]
    spec = first.layer
    index = sharing_map(tuple(first.weight.shape), padded.shape[-1], spec.stride, 0, spec.dilation)
    c_in = first.weight.shape[1]
    keep = torch.cat(
        [torch.arange(before, before + length) + i * padded.shape[-1] for i in range(c_in)]
    )
    out: dict[str, Any] = {"matrix/index": _index_codes(index[:, keep])}
    if label is None:
        return out
    rest = session.net.body[1:]
    target = torch.tensor([label])

    def loss(maps: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(rest(maps + first.bias[None, :, None]), target)

    grads = shared_gradient(first.weight.detach(), padded, loss, spec.stride, 0, spec.dilation)
    out["matrix/grad"] = grads.entries[:, keep].numpy().astype(np.float32)
    out["matrix/summed"] = grads.summed.numpy().astype(np.float32)
    out["matrix/conv"] = grads.conv.numpy().astype(np.float32)
    return out


def _index_codes(index: torch.Tensor) -> np.ndarray:
    codes = index.numpy().astype(np.int64)
    return np.where(codes < 0, NO_COPY, codes).astype(np.uint16)


def _shift_header(session: ConvSession, x: torch.Tensor) -> dict[str, Any] | None:
    by = list(session.config.view.shift)
    if not any(by):
        return None
    report = shift_errors(session.net, x[None], by)
    return {
        "by": by,
        "equivariance": [None if s.error is None else finite(s.error) for s in report.stages],
        "invariance": finite(report.invariance),
    }


def compare_part(
    session: ConvSession, facts: list[dict[str, Any]]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """With ``view.compare`` on, every spatial stage of the first :data:`COMPARE` test samples
    (not moved): the header's ``compare`` (their indices, labels and the net's answers) and the
    arrays ``compare/{k}``, (n, C, ...) each. Off: ``None`` and no arrays."""
    if not session.config.view.compare:
        return None, {}
    net = session.net
    batch = torch.from_numpy(np.ascontiguousarray(session.test.x[:COMPARE]))
    with torch.no_grad():
        stages = net.stages(batch)
    arrays = {
        f"compare/{k}": out.numpy().astype(np.float32)
        for k, (fact, out) in enumerate(zip(facts, stages, strict=True))
        if fact["kind"] in SPATIAL
    }
    header = {
        "indices": list(range(len(batch))),
        "labels": [int(v) for v in session.test.labels[: len(batch)]],
        "predicted": [int(v) for v in stages[-1].argmax(1)],
    }
    return header, arrays


def _parameters(session: ConvSession) -> dict[str, int]:
    spec = session.net.spec
    return {
        "shared": conv_parameter_count(replace(spec, unshared=False)),
        "unshared": conv_parameter_count(replace(spec, unshared=True)),
    }


def conv_frame(
    session: ConvSession, metrics_age: float = 0.0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The frame's header and arrays (see the module's docstring, and docs/protocol.md). The
    metrics may be up to ``metrics_age`` seconds old (``metrics.step`` says of which step)."""
    net = session.net
    net.eval()
    x0, label, index = session.example()
    x = torch.from_numpy(np.ascontiguousarray(x0))
    by = list(session.config.view.shift)
    shown = shift(x, by) if any(by) else x
    arrays: dict[str, Any] = {}
    with torch.no_grad():
        stages = net.stages(shown[None])
        for k, out in enumerate(stages):
            arrays[f"stage/{k}"] = out[0].numpy().astype(np.float32)
        for k, layer in enumerate(net.conv_layers()):
            arrays[f"kernel/{k}"] = layer.weight.numpy().astype(np.float32)
            arrays[f"bias/{k}"] = layer.bias.numpy().astype(np.float32)
        gallery = torch.from_numpy(session.test.x[:GALLERY])
        answers = net(gallery).softmax(1)
        arrays["gallery/x"] = gallery.numpy()
        arrays["gallery/scores"] = answers.numpy().astype(np.float32)
        shift_report = _shift_header(session, x)
    arrays.update(matrix_arrays(session, shown, label))
    facts = stage_facts(session)
    compare, compare_arrays = compare_part(session, facts)
    arrays.update(compare_arrays)
    scores = stages[-1][0].softmax(0)
    m = session.metrics(metrics_age)
    header = {
        "type": "conv_frame",
        "step": session.trainer.step_count,
        "generation": session.generation,
        "metrics": {
            "step": m.step,
            "train_loss": finite(m.train_loss),
            "train_acc": finite(m.train_acc),
            "test_loss": finite(m.test_loss),
            "test_acc": finite(m.test_acc),
        },
        "classes": class_names(session.config.data),
        "example": {
            "index": index,
            "label": label,
            "drawn": session.drawn is not None,
            "predicted": int(scores.argmax()),
            "scores": [finite(float(v)) for v in scores],
        },
        "gallery": {
            "labels": [int(v) for v in session.test.labels[:GALLERY]],
            "predicted": [int(v) for v in answers.argmax(1)],
        },
        "stages": facts,
        "parameters": _parameters(session),
        "shift": shift_report,
        "compare": compare,
    }
    return header, arrays


def render_conv(session: ConvSession, metrics_age: float = 0.0) -> bytes:
    """The frame as the binary message the socket sends."""
    header, arrays = conv_frame(session, metrics_age)
    return encode_frame(header, arrays)
