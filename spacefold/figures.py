"""Plotly figures of an experiment: the stage strip, one stage's close-up, the morph, the loss
curves and a layer's decomposition, drawn from the arrays of a frame (``Frame``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.palette import ACC_COLOR, AXIS, DEAD_MARK, GRID_LINE, INK, LOSS_COLOR, class_color, rgba
from nets.linalg import PHASES, affine_path
from nets.probe import fit_extent
from spacefold.experiment import Experiment
from spacefold.frame import Frame, stage_title
from spacefold.regions import region_rgb

Source = Experiment | Frame
GRID_COLOR = rgba(GRID_LINE)


def _frame_of(source: Source) -> Frame:
    return source.frame() if isinstance(source, Experiment) else source


def polyline(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lines (L, S, ≥2) as one x and one y array, NaN between lines."""
    gap = np.full((len(lines), 1), np.nan)
    xs = np.concatenate([lines[..., 0], gap], axis=1).ravel()
    ys = np.concatenate([lines[..., 1], gap], axis=1).ravel()
    return xs, ys


def grid_trace(lines: np.ndarray, meta: dict[str, Any]) -> go.Scatter:
    """The warped grid lines as one thin line trace (no hover, no legend)."""
    gx, gy = polyline(lines)
    return go.Scatter(
        x=gx,
        y=gy,
        mode="lines",
        line={"color": GRID_COLOR, "width": 1},
        hoverinfo="skip",
        showlegend=False,
        meta=meta,
    )


def point_traces(frame: Frame, xy: np.ndarray, stage: int | None) -> list[go.Scatter]:
    """The points by class, training points filled, test points hollow. ``customdata`` holds
    each point's index in the frame (train first), ``meta`` the stage drawn."""
    traces: list[go.Scatter] = []
    labels, n_train = frame.labels, frame.n_train
    index = np.arange(len(xy))
    groups = (
        [(None, np.ones(len(xy), bool))]
        if frame.regression
        else [(c, labels == c) for c in range(frame.classes)]
    )
    for c, member in groups:
        for test in (False, True):
            pick = member & ((index >= n_train) if test else (index < n_train))
            if not pick.any():
                continue
            color = class_color(c) if c is not None else INK
            marker: dict[str, Any] = {
                "size": 6,
                "color": "white" if test else color,
                "line": {"color": color, "width": 1.2},
            }
            if c is None:
                marker.update(color=labels[pick], colorscale="RdBu", line={"width": 0})
            name = "targets" if c is None else f"class {c}"
            traces.append(
                go.Scatter(
                    x=xy[pick, 0],
                    y=xy[pick, 1],
                    mode="markers",
                    marker=marker,
                    name=f"{name} ({'test' if test else 'train'})",
                    customdata=index[pick],
                    meta={"stage": stage, "role": "points"},
                    legendgroup=name,
                    hovertemplate="point %{customdata}<br>(%{x:.3f}, %{y:.3f})<extra></extra>",
                )
            )
    return traces


def panel_traces(frame: Frame, k: int) -> list[Any]:
    """Stage ``k`` as the page draws it: regions, warped grid, points, dead and merged marks
    (open, so the class colour shows through), boundary."""
    traces: list[Any] = []
    regions = frame.regions(k)
    if regions is not None:
        xs, ys = regions.xs.astype(np.float64), regions.ys.astype(np.float64)
        traces.append(
            go.Image(
                z=region_rgb(regions, frame.classes),
                x0=xs[0],
                dx=xs[1] - xs[0],
                y0=ys[0],
                dy=ys[1] - ys[0],
                hoverinfo="skip",
                meta={"stage": k, "role": "regions"},
            )
        )
    traces.append(grid_trace(frame.grid(k), {"stage": k, "role": "grid"}))
    traces += point_traces(frame, frame.points(k), k)
    marks = (
        ("dead", "folded to zero", frame.dead(k), "square-open", 11),
        ("merged", "merged with another class", frame.merged(k), "circle-open", 9),
    )
    for role, name, mask, symbol, size in marks:
        if mask is None or not mask.any():
            continue
        xy = frame.points(k)[mask.astype(bool)]
        traces.append(
            go.Scatter(
                x=xy[:, 0],
                y=xy[:, 1],
                mode="markers",
                name=name,
                hoverinfo="skip",
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": DEAD_MARK,
                    "line": {"color": DEAD_MARK, "width": 1.5},
                },
                meta={"stage": k, "role": role},
            )
        )
    line = frame.boundary(k)
    if line is not None:
        traces.append(_line_trace(line, frame.extent(k), k))
    return traces


def _line_trace(line: list[float], box: tuple[float, float, float, float], k: int) -> go.Scatter:
    """The dashed classifier line a·x + b·y + c = 0 across ``box``."""
    a, b, c = line
    x0, x1, y0, y1 = box
    if abs(b) >= abs(a) and b != 0:
        xs = np.array([x0, x1])
        ys = -(a * xs + c) / b
    elif a != 0:
        ys = np.array([y0, y1])
        xs = -(b * ys + c) / a
    else:
        xs = ys = np.array([np.nan, np.nan])
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        name="classifier's line",
        line={"color": INK, "dash": "dash", "width": 1.5},
        meta={"stage": k, "role": "boundary"},
    )


def _square(fig: go.Figure, box: tuple[float, float, float, float], col: int = 1) -> None:
    x0, x1, y0, y1 = box
    suffix = "" if col == 1 else str(col)
    axis = {
        "row": 1,
        "col": col,
        "showgrid": False,
        "zeroline": True,
        "zerolinecolor": AXIS,
        "constrain": "domain",
    }
    fig.update_xaxes(range=[x0, x1], **axis)
    fig.update_yaxes(range=[y0, y1], scaleanchor=f"x{suffix}", scaleratio=1, **axis)


def _one_legend(fig: go.Figure) -> None:
    seen: set[str] = set()
    for trace in fig.data:
        name = trace.name
        if name in seen:
            trace.showlegend = False
        elif name:
            seen.add(name)


def stage_strip(source: Source, stages: list[int] | None = None) -> go.Figure:
    """Every stage (or the ones listed) side by side: input, affine 1, fold 1, ..., output."""
    frame = _frame_of(source)
    chosen = list(range(frame.n_stages)) if stages is None else stages
    for k in chosen:
        frame.points(k)  # IndexError names a stage that does not exist
    fig = make_subplots(
        rows=1,
        cols=len(chosen),
        horizontal_spacing=0.02,
        subplot_titles=[stage_title(frame.stages[k]) for k in chosen],
    )
    for col, k in enumerate(chosen, start=1):
        for trace in panel_traces(frame, k):
            fig.add_trace(trace, row=1, col=col)
        _square(fig, frame.extent(k), col)
    _one_legend(fig)
    fig.update_layout(
        height=300,
        width=max(600, 240 * len(chosen)),
        plot_bgcolor="white",
        margin={"l": 20, "r": 20, "t": 80, "b": 20},
        title=f"step {frame.step}",
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def focus(source: Source, stage: int = 0) -> go.Figure:
    """One stage large: its points, the warped grid and its decision regions."""
    frame = _frame_of(source)
    frame.points(stage)
    fig = make_subplots(rows=1, cols=1)
    for trace in panel_traces(frame, stage):
        fig.add_trace(trace)
    _square(fig, frame.extent(stage))
    fig.update_layout(
        width=560,
        height=560,
        plot_bgcolor="white",
        title=f"{stage_title(frame.stages[stage])} — step {frame.step}",
    )
    return fig


def morph_span(frame: Frame, layer: int | None) -> tuple[int, int]:
    """The stages a morph runs between: the whole network, or one layer's input to its fold
    (to the logits for the classifier)."""
    if layer is None:
        return 0, frame.n_stages - 1
    frame.layer(layer)  # IndexError for a layer that does not exist
    first = next(s["index"] for s in frame.stages if s["layer"] == layer) - 1
    last = max(s["index"] for s in frame.stages if s["layer"] == layer)
    return first, last


def morph_positions(frame: Frame, layer: int | None, per_step: int) -> list[float]:
    """Positions s along the morph, ``per_step`` frames a stage, both ends included."""
    if per_step < 1:
        raise ValueError("the morph needs at least 1 frame a stage")
    first, last = morph_span(frame, layer)
    count = (last - first) * per_step
    return [first + i / per_step for i in range(count + 1)]


def morph(source: Source, layer: int | None = None, per_step: int = 10) -> go.Figure:
    """The morph as an animation with a slider: the points and the grid moving continuously
    through the network (or through one layer): a 2×2 affine step along the lecture's path
    (rotate, reflect, scale, rotate, shift), any other step straight."""
    frame = _frame_of(source)
    positions = morph_positions(frame, layer, per_step)
    states = [(frame.morph_at(s), frame.morph_at(s, "grid")) for s in positions]

    def traces(s: float, points: np.ndarray, grid: np.ndarray) -> list[Any]:
        return [
            grid_trace(grid, {"position": s, "role": "grid"}),
            *point_traces(frame, points, None),
        ]

    def slide(s: float, points: np.ndarray, grid: np.ndarray) -> go.Frame:
        x0, x1, y0, y1 = fit_extent(points)  # the view follows the points
        return go.Frame(
            data=traces(s, points, grid),
            name=f"{s:.2f}",
            layout={"xaxis": {"range": [x0, x1]}, "yaxis": {"range": [y0, y1]}},
        )

    frames = [slide(s, p, g) for s, (p, g) in zip(positions, states, strict=True)]
    fig = go.Figure(data=frames[0].data, frames=frames)
    slider = {
        "active": 0,
        "currentvalue": {"prefix": "stage "},
        "x": 0.12,
        "len": 0.88,
        "steps": [
            {
                "label": f"{s:.1f}",
                "method": "animate",
                "args": [
                    [f"{s:.2f}"],
                    {
                        "mode": "immediate",
                        "frame": {"duration": 0, "redraw": True},
                        "transition": {"duration": 0},
                    },
                ],
            }
            for s in positions
        ],
    }
    play = {
        "type": "buttons",
        "showactive": False,
        "x": 0,
        "y": 0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": 50},
        "buttons": [
            {
                "label": "▶",
                "method": "animate",
                "args": [
                    None,
                    {
                        "frame": {"duration": 60, "redraw": True},
                        "fromcurrent": True,
                        "transition": {"duration": 0},
                    },
                ],
            }
        ],
    }
    first, last = morph_span(frame, layer)
    fig.update_layout(
        width=600,
        height=640,
        plot_bgcolor="white",
        sliders=[slider],
        updatemenus=[play],
        title=f"morph: {stage_title(frame.stages[first])} → {stage_title(frame.stages[last])}",
        xaxis={
            "range": frames[0].layout.xaxis.range,
            "constrain": "domain",
            "zerolinecolor": AXIS,
        },
        yaxis={
            "range": frames[0].layout.yaxis.range,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
            "zerolinecolor": AXIS,
        },
    )
    return fig


def losses(exp: Experiment) -> go.Figure:
    """Training and test loss (and accuracy, for classes) over the steps trained."""
    steps = [m.step for m in exp.history]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for key, dash in (("train", "solid"), ("test", "dot")):
        loss = [_finite(getattr(m, f"{key}_loss")) for m in exp.history]
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=loss,
                name=f"{key} loss",
                meta={"role": key},
                line={"color": LOSS_COLOR, "dash": dash},
            ),
            secondary_y=False,
        )
        if exp.net.classes > 1:
            acc = [_finite(getattr(m, f"{key}_acc")) for m in exp.history]
            fig.add_trace(
                go.Scatter(
                    x=steps, y=acc, name=f"{key} accuracy", line={"color": ACC_COLOR, "dash": dash}
                ),
                secondary_y=True,
            )
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="loss", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title="accuracy",
        range=[0, 1.02],
        tickformat=".0%",
        dtick=0.25,
        showgrid=False,
        secondary_y=True,
    )
    fig.update_layout(
        width=720, height=380, plot_bgcolor="white", legend={"x": 1.12, "xanchor": "left"}
    )
    return fig


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def decomposition(source: Source, layer: int = 1) -> go.Figure:
    """A 2×2 layer's map taken apart, W = R(θ_out) · diag(s1, s2) · F · R(θ_in), then + b: the
    layer's input points and grid after each phase of the lecture's path."""
    frame = _frame_of(source)
    d = frame.decomposition(layer)
    bias = np.asarray(frame.layer(layer)["bias"], np.float64)
    first, _ = morph_span(frame, layer)
    points, grid = frame.points(first)[:, :2], frame.grid(first)[..., :2]
    names = ["input", *PHASES]
    names[2] = "reflect" if d.reflect else "(no reflection)"
    names[4] = "rotate again"
    steps = []
    for i in range(len(names)):
        m, c = affine_path(d, bias, i / len(PHASES))
        steps.append(((points @ m.T + c), (grid @ m.T + c)))
    box = fit_extent(np.concatenate([p for p, _ in steps]))
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, horizontal_spacing=0.02)
    for col, (p, g) in enumerate(steps, start=1):
        fig.add_trace(
            grid_trace(g, {"phase": col - 1, "role": "grid"}),
            row=1,
            col=col,
        )
        for trace in point_traces(frame, p.astype(np.float32), None):
            trace.meta = {"phase": col - 1, "role": "points"}
            fig.add_trace(trace, row=1, col=col)
        _square(fig, box, col)
    _one_legend(fig)
    s1, s2 = d.scales
    fig.update_layout(
        width=1200,
        height=300,
        plot_bgcolor="white",
        showlegend=False,
        title=(
            f"layer {layer}: rotate {math.degrees(d.angle_in):.1f}°, "
            f"{'reflect, ' if d.reflect else ''}scale {s1:.3f} × {s2:.3f}, "
            f"rotate {math.degrees(d.angle_out):.1f}°, shift ({bias[0]:.3f}, {bias[1]:.3f})"
            f" — det {d.det:.3f}"
        ),
    )
    return fig
