"""Plotly figures of a convolution experiment: every stage's feature maps, every kernel, the
first layer as the banded matrix it is (with its copies' gradients), and the input moved.

Each figure is drawn from the frame the page would get (``ConvExperiment.frame()``), so the
numbers drawn are the ones the network computes. Every trace carries ``meta``
``{"stage": k, "channel": c, "role": ...}`` (``channel`` None where a trace spans channels),
so that a figure can be read back and checked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.conv.frame import NO_COPY
from engine.palette import CLASS_COLORS, INK, LAYER_COLORS
from spacefold.conv import ConvExperiment, ConvFrame
from spacefold.convraster import (
    NEGATIVE,
    POSITIVE,
    abs_max,
    frame_caption,
    spatial_stages,
    stage_name,
)

#: The maps' diverging ramp, as the page draws it: blue below 0, white at 0, red above.
HEAT = [[0.0, f"rgb{NEGATIVE}"], [0.5, "rgb(255, 255, 255)"], [1.0, f"rgb{POSITIVE}"]]
SMALL_KERNEL = 25  # taps up to which a kernel's numbers are printed on it


def _meta(stage: int, channel: int | None, role: str, **more: Any) -> dict[str, Any]:
    return {"stage": stage, "channel": channel, "role": role, **more}


def _heatmap(z: np.ndarray, scale: float, meta: dict[str, Any], **kw: Any) -> go.Heatmap:
    return go.Heatmap(
        z=z,
        zmin=-scale,
        zmax=scale,
        colorscale=HEAT,
        showscale=False,
        meta=meta,
        hovertemplate="row %{y}, column %{x}: %{z:.4g}<extra></extra>",
        **kw,
    )


def _stage_of(header: dict[str, Any], kind: str, layer: int | None = None) -> int:
    """The index of the first stage of ``kind`` (of conv layer ``layer``, when given)."""
    for k, fact in enumerate(header["stages"]):
        if fact["kind"] == kind and (layer is None or fact["layer"] == layer):
            return k
    raise ValueError(f"this net has no {kind} stage")


def _square_cells(fig: go.Figure) -> None:
    """Give every heatmap square cells (an image drawn as an image), its rows top down."""
    for trace in fig.data:
        if isinstance(trace, go.Heatmap):
            y_name = "yaxis" + trace.yaxis[1:]
            fig.layout[y_name].update(
                scaleanchor=trace.xaxis, constrain="domain", autorange="reversed"
            )
            fig.layout["xaxis" + trace.xaxis[1:]].update(constrain="domain")


def tile_channels(kernel: np.ndarray) -> np.ndarray:
    """One output channel's 2-D kernel (C_in, F, F) as one picture: its input channels' F×F
    patches in a near-square grid, row by row, one NaN row and column between patches."""
    c_in, f = kernel.shape[0], kernel.shape[-1]
    cols = math.ceil(math.sqrt(c_in))
    rows = math.ceil(c_in / cols)
    out = np.full((rows * (f + 1) - 1, cols * (f + 1) - 1), np.nan)
    for i in range(c_in):
        r, c = divmod(i, cols)
        out[r * (f + 1) : r * (f + 1) + f, c * (f + 1) : c * (f + 1) + f] = kernel[i]
    return out


def _spacing(rows: int) -> float:
    return min(0.08, 0.6 / max(rows, 1))


def _line_traces(values: np.ndarray, stage: int, role: str, named: set[int]) -> list[go.Scatter]:
    """1-D maps (C, L), one line a channel; a channel not in ``named`` yet gets its legend
    entry (and joins it), so that each channel is named once across the figure."""
    xs = np.arange(values.shape[-1])
    fresh = set(range(values.shape[0])) - named
    named |= fresh
    return [
        go.Scatter(
            x=xs,
            y=values[c],
            mode="lines",
            name=f"c{c}",
            legendgroup=f"c{c}",
            showlegend=c in fresh,
            line={"color": LAYER_COLORS[c % len(LAYER_COLORS)], "width": 1.6},
            meta=_meta(stage, c, role),
        )
        for c in range(values.shape[0])
    ]


def _readout_traces(frame: ConvFrame) -> tuple[go.Bar, go.Bar]:
    """The readout (one number per channel) and the logits, their softmax written on them."""
    header, arrays = frame
    readout, logits = _stage_of(header, "readout"), _stage_of(header, "logits")
    pooled = arrays[f"stage/{readout}"]
    scores = header["example"]["scores"]
    return (
        go.Bar(
            x=[f"c{c}" for c in range(len(pooled))],
            y=pooled,
            marker={"color": INK},
            name="readout",
            showlegend=False,
            meta=_meta(readout, None, "readout"),
        ),
        go.Bar(
            x=list(header["classes"]),
            y=arrays[f"stage/{logits}"],
            text=[f"{100 * s:.0f}%" for s in scores],
            marker={"color": [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(len(scores))]},
            name="logits",
            showlegend=False,
            meta=_meta(logits, None, "logits"),
        ),
    )


def feature_maps(exp: ConvExperiment) -> go.Figure:
    """Every stage for the shown input, one row a stage: a heatmap per channel (an image) or
    a line per channel (a signal), then the readout and the logits (their softmax on the
    bars). Each row's heatmaps share one colour scale, the largest |value| of the stage."""
    frame = exp.frame()
    header, arrays = frame
    facts, spatial = header["stages"], spatial_stages(header)
    act = exp.config.model.activation
    image = exp.config.data.dims == 2
    rows = len(spatial) + 1
    cols = max(2, *(arrays[f"stage/{k}"].shape[0] for k in spatial)) if image else 2
    half = cols // 2
    last_row: list[dict[str, Any] | None] = [{"colspan": half}] + [None] * (half - 1)
    last_row += [{"colspan": cols - half}] + [None] * (cols - half - 1)
    titles: list[str] = []
    specs: list[list[dict[str, Any] | None]] = []
    for k in spatial:
        name = stage_name(facts[k], act)
        if image:
            channels = arrays[f"stage/{k}"].shape[0]
            specs.append([{} if c < channels else None for c in range(cols)])
            titles += [f"{name} · c{c}" for c in range(channels)]
        else:
            specs.append([{"colspan": 2}, None])
            titles.append(f"{name} ({arrays[f'stage/{k}'].shape[0]} channels)")
    specs.append(last_row)
    titles += ["readout", "logits (softmax on the bars)"]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        specs=specs,
        subplot_titles=titles,
        vertical_spacing=_spacing(rows),
        horizontal_spacing=min(0.03, 0.3 / cols),
    )
    named: set[int] = set()
    for row, k in enumerate(spatial, start=1):
        values = arrays[f"stage/{k}"]
        if image:
            scale = abs_max(values)
            for c in range(values.shape[0]):
                fig.add_trace(_heatmap(values[c], scale, _meta(k, c, "map")), row=row, col=c + 1)
        else:
            for trace in _line_traces(values, k, "map", named):
                fig.add_trace(trace, row=row, col=1)
    pooled, logits = _readout_traces(frame)
    fig.add_trace(pooled, row=rows, col=1)
    fig.add_trace(logits, row=rows, col=half + 1)
    if image:
        _square_cells(fig)
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False)
    fig.update_layout(
        title=f"feature maps · {frame_caption(header)}",
        height=max(360, 150 * rows),
        width=max(640, 110 * cols) if image else 900,
        template="plotly_white",
    )
    return fig


def kernels(exp: ConvExperiment) -> go.Figure:
    """Every conv layer's kernels, one row a layer, one heatmap an output channel: a signal's
    kernel (C_in, F) as it is, an image's (C_in, F, F) as its input channels' patches side by
    side (:func:`tile_channels`). An unshared layer has no one kernel:
    its heatmap is every position's weights (rows: positions; columns: taps)."""
    header, arrays = exp.frame()
    layers = [fact["layer"] for fact in header["stages"] if fact["kind"] == "conv"]
    unshared = exp.config.model.unshared
    channel_axis = 1 if unshared else 0
    cols = max(arrays[f"kernel/{layer}"].shape[channel_axis] for layer in layers)
    specs: list[list[dict[str, Any] | None]] = []
    titles: list[str] = []
    for layer in layers:
        weights, bias = arrays[f"kernel/{layer}"], arrays[f"bias/{layer}"]
        channels = weights.shape[channel_axis]
        specs.append([{} if c < channels else None for c in range(cols)])
        for c in range(channels):
            told = "" if unshared else f"<br>bias {float(bias[c]):.2f}"
            titles.append(f"layer {layer + 1} c{c}{told}")
    fig = make_subplots(
        rows=len(layers),
        cols=cols,
        specs=specs,
        subplot_titles=titles,
        vertical_spacing=min(0.16, 0.6 / len(layers)),
        horizontal_spacing=min(0.03, 0.3 / cols),
    )
    for row, layer in enumerate(layers, start=1):
        weights = arrays[f"kernel/{layer}"]
        stage = _stage_of(header, "conv", layer)
        scale = abs_max(weights)
        for c in range(weights.shape[channel_axis]):
            if unshared:
                z = weights[:, c, :]
            elif weights.ndim == 4:
                z = tile_channels(weights[c])
            else:
                z = weights[c]
            extra: dict[str, Any] = {}
            if weights[c].size <= SMALL_KERNEL and not unshared:
                extra = {"texttemplate": "%{z:.2f}", "textfont": {"size": 10}}
            meta = _meta(stage, c, "kernel", layer=layer, unshared=unshared)
            fig.add_trace(_heatmap(z, scale, meta, **extra), row=row, col=c + 1)
    if not unshared:
        _square_cells(fig)
    else:
        fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    kind = "unshared (every position its own weights)" if unshared else "shared"
    fig.update_layout(
        title=f"kernels, {kind} · step {header['step']}",
        height=max(300, 220 * len(layers)),
        width=max(560, 130 * cols),
        template="plotly_white",
    )
    return fig


def matrix_values(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """The first layer's matrix ``W = H(u)``: each entry the kernel weight it copies, NaN for
    a structural zero (``W`` times the flattened input, plus the bias, is the conv's output)."""
    index = arrays["matrix/index"].astype(np.int64)
    flat = arrays["kernel/0"].reshape(-1).astype(np.float64)
    copies = index != NO_COPY
    out = np.full(index.shape, np.nan)
    out[copies] = flat[index[copies]]
    return out


def sharing_matrix(exp: ConvExperiment) -> go.Figure:
    """A 1-D shared first layer as the banded (Toeplitz) matrix it is: every entry coloured by
    the kernel weight it copies (``customdata``: that weight's flat (o, i, k) index, -1 for a
    structural zero). For a labelled input, beside it the gradient of every copy for that
    sample's loss, and under both, per kernel weight, the copies' gradients summed against
    the kernel's gradient from torch's conv."""
    header, arrays = exp.frame()
    if "matrix/index" not in arrays:
        raise ValueError(
            "the matrix view is for a 1-D net (data.kind 'motifs') with a shared first layer"
        )
    stage = _stage_of(header, "conv", 0)
    index = arrays["matrix/index"].astype(np.int64)
    values = matrix_values(arrays)
    kernel = arrays["kernel/0"]
    labelled = "matrix/grad" in arrays
    specs: list[list[dict[str, Any] | None]] = (
        [[{}, {}], [{"colspan": 2}, None]] if labelled else [[{}]]
    )
    titles = ["W = H(u): the kernel weight each entry copies"]
    if labelled:
        titles += ["each copy's gradient", "per kernel weight: copies summed, and torch's conv"]
    fig = make_subplots(
        rows=len(specs),
        cols=len(specs[0]),
        specs=specs,
        subplot_titles=titles,
        row_heights=[0.7, 0.3] if labelled else None,
        vertical_spacing=0.1,
    )
    custom = np.where(index == NO_COPY, -1, index)
    hover = "row %{y}, column %{x}: weight %{customdata} = %{z:.4g}<extra></extra>"
    matrix = _heatmap(values, abs_max(kernel), _meta(stage, None, "matrix"), customdata=custom)
    matrix.update(hovertemplate=hover)
    fig.add_trace(matrix, row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    note = ""
    if labelled:
        grad = np.where(index == NO_COPY, np.nan, arrays["matrix/grad"])
        copies = _heatmap(grad, abs_max(arrays["matrix/grad"]), _meta(stage, None, "copies"))
        copies.update(customdata=custom, hovertemplate=hover)
        fig.add_trace(copies, row=1, col=2)
        fig.update_yaxes(autorange="reversed", row=1, col=2)
        o, i, t = np.unravel_index(np.arange(kernel.size), kernel.shape)
        names = [f"c{a} i{b} k{c}" for a, b, c in zip(o, i, t, strict=True)]
        for role, key, color in (
            ("summed", "matrix/summed", LAYER_COLORS[0]),
            ("conv", "matrix/conv", LAYER_COLORS[1]),
        ):
            label = "copies summed" if role == "summed" else "torch's conv"
            bar = go.Bar(x=names, y=arrays[key].reshape(-1), name=label, marker={"color": color})
            fig.add_trace(bar.update(meta=_meta(stage, None, role)), row=2, col=1)
        gap = float(np.abs(arrays["matrix/summed"] - arrays["matrix/conv"]).max())
        note = f"; max |summed - conv| = {gap:.1e}"
    rows, columns = index.shape
    fig.update_layout(
        title=f"layer 1 as its matrix: {rows} × {columns}, {kernel.size} kernel weights "
        f"copied {int((index != NO_COPY).sum())} times{note}",
        height=780 if labelled else 560,
        width=1000 if labelled else 560,
        barmode="group",
        template="plotly_white",
    )
    return fig


def shift_view(exp: ConvExperiment, by: int | Sequence[int], channel: int = 0) -> go.Figure:
    """The maps of the input (left) and of the input moved ``by`` (right), one row a stage
    (an image: channel ``channel`` of each; a signal: every channel), each shifted row titled
    with its equivariance error; then the readout of both, and the invariance error in the
    title. The experiment's own shift stays as it was."""
    offsets = [by] if isinstance(by, int) else list(by)
    header, plain = exp.shifted(())
    moved_header, moved = exp.shifted(offsets)
    report = moved_header["shift"]
    errors = report["equivariance"] if report else [None] * len(header["stages"])
    facts, spatial = header["stages"], spatial_stages(header)
    act = exp.config.model.activation
    image = exp.config.data.dims == 2
    readout = _stage_of(header, "readout")
    titles: list[str] = []
    for k in spatial:
        name = stage_name(facts[k], act)
        err = errors[k] if k < len(errors) else None
        told = "—" if err is None else f"{err:.2g}"
        pick = f" · c{min(channel, plain[f'stage/{k}'].shape[0] - 1)}" if image else ""
        titles += [f"{name}{pick}", f"{name}{pick} moved · equivariance error {told}"]
    rows = len(spatial) + 1
    pair: list[dict[str, Any] | None] = [{}, {}]
    specs = [pair] * len(spatial) + [[{"colspan": 2}, None]]
    fig = make_subplots(
        rows=rows,
        cols=2,
        specs=specs,
        subplot_titles=[*titles, "readout: as it was and moved"],
        vertical_spacing=_spacing(rows),
    )
    named: set[int] = set()
    for row, k in enumerate(spatial, start=1):
        for col, (arrays, role) in enumerate(((plain, "original"), (moved, "shifted")), start=1):
            values = arrays[f"stage/{k}"]
            if image:
                c = min(channel, values.shape[0] - 1)
                scale = abs_max(np.concatenate([plain[f"stage/{k}"][c], moved[f"stage/{k}"][c]]))
                fig.add_trace(_heatmap(values[c], scale, _meta(k, c, role)), row=row, col=col)
            else:
                for trace in _line_traces(values, k, role, named):
                    fig.add_trace(trace, row=row, col=col)
    for arrays, role, color in ((plain, "original", LAYER_COLORS[0]), (moved, "shifted", INK)):
        pooled = arrays[f"stage/{readout}"]
        fig.add_trace(
            go.Bar(
                x=[f"c{c}" for c in range(len(pooled))],
                y=pooled,
                name=f"readout, {role}",
                marker={"color": color},
                meta=_meta(readout, None, role),
            ),
            row=rows,
            col=1,
        )
    if image:
        _square_cells(fig)
    invariance = report["invariance"] if report else 0.0
    told = "—" if invariance is None else f"{invariance:.2g}"
    fig.update_layout(
        title=f"input moved by {', '.join(map(str, offsets))}: the maps move with it "
        f"(equivariance), the readout stays (invariance error {told})",
        height=max(360, 170 * rows),
        width=900,
        barmode="group",
        template="plotly_white",
    )
    return fig
