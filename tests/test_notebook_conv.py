"""The convolution mode from Python: ConvExperiment, its Plotly figures and its Pillow renders.

Every figure's numbers are read back from its traces (``meta`` says which stage, channel and
role each is) and checked against the frame's arrays, and those against the net itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from PIL import Image

from engine.conv.frame import NO_COPY
from nets.sharing import shift
from spacefold import (
    ConvExperiment,
    feature_maps,
    kernels,
    sharing_matrix,
    shift_view,
)
from spacefold import convraster as raster
from spacefold.convfigures import matrix_values, tile_channels
from spacefold.raster import TITLE
from tests.conv_lessons_run import play_conv

TWO_LAYERS = {"layers": [{"channels": 3}, {"channels": 5, "kernel": 5}], "pool": "max"}


@pytest.fixture(scope="module")
def images() -> ConvExperiment:
    """Glyphs through two conv layers with pooling, a little trained."""
    return ConvExperiment.from_config(
        data={"samples": 80, "seed": 3}, model=TWO_LAYERS, train={"lr": 0.02}
    ).train(15)


@pytest.fixture(scope="module")
def signals() -> ConvExperiment:
    """Motif signals through one shared layer of 4 channels (the matrix view's net)."""
    return ConvExperiment.from_config(
        data={"kind": "motifs", "samples": 80, "length": 32}, model={"readout": "max"}
    ).train(15)


def traces(fig: go.Figure, role: str) -> list[Any]:
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def net_stages(exp: ConvExperiment, x: np.ndarray) -> list[np.ndarray]:
    """``net.body[:k](x)`` for every k, computed here."""
    t = torch.from_numpy(np.ascontiguousarray(x))[None]
    with torch.no_grad():
        return [exp.net.body[:k](t)[0].numpy() for k in range(len(exp.net.body) + 1)]


def shown_input(exp: ConvExperiment) -> np.ndarray:
    index = exp.config.view.example
    return np.asarray(exp.session.test.x[index])


# ------------------------------------------------------------------------------- figures


@pytest.mark.parametrize("which", ["images", "signals"])
def test_feature_maps_draw_the_frame_which_is_the_net(which: str, request: Any) -> None:
    exp: ConvExperiment = request.getfixturevalue(which)
    header, arrays = exp.frame()
    expected = net_stages(exp, shown_input(exp))
    fig = feature_maps(exp)
    maps = traces(fig, "map")
    spatial = [k for k, fact in enumerate(header["stages"]) if "stride" in fact]
    drawn = {(t.meta["stage"], t.meta["channel"]) for t in maps}
    assert drawn == {(k, c) for k in spatial for c in range(arrays[f"stage/{k}"].shape[0])}
    for t in maps:
        k, c = t.meta["stage"], t.meta["channel"]
        values = np.asarray(t.z if which == "images" else t.y, dtype=np.float32)
        np.testing.assert_array_equal(values, arrays[f"stage/{k}"][c])
        np.testing.assert_allclose(values, expected[k][c], atol=1e-5)
    (readout,) = traces(fig, "readout")
    (logits,) = traces(fig, "logits")
    np.testing.assert_allclose(np.asarray(readout.y), expected[readout.meta["stage"]], atol=1e-5)
    np.testing.assert_allclose(np.asarray(logits.y), expected[-1], atol=1e-5)
    assert logits.meta["stage"] == len(expected) - 1
    assert list(logits.x) == header["classes"]


def test_the_kernels_figure_holds_every_kernel(images: ConvExperiment) -> None:
    _, arrays = images.frame()
    fig = kernels(images)
    drawn = traces(fig, "kernel")
    assert len(drawn) == 3 + 5
    for t in drawn:
        weights = arrays[f"kernel/{t.meta['layer']}"][t.meta["channel"]]
        layer = images.net.conv_layers()[t.meta["layer"]]
        assert images.frame()[0]["stages"][t.meta["stage"]]["kind"] == "conv"
        np.testing.assert_array_equal(np.asarray(t.z, dtype=np.float64), tile_channels(weights))
        np.testing.assert_allclose(weights, layer.weight[t.meta["channel"]].detach().numpy())
    one = next(t for t in drawn if t.meta["layer"] == 1)
    assert np.asarray(one.z).shape == (5 * 2 + 1, 5 * 2 + 1)  # three 5×5 patches in a 2×2 grid


def test_an_unshared_nets_kernels_are_every_positions_own() -> None:
    exp = ConvExperiment.from_config(
        data={"kind": "motifs", "samples": 40, "length": 20},
        model={"unshared": True, "layers": [{"channels": 4}]},
    )
    _, arrays = exp.frame()
    drawn = traces(kernels(exp), "kernel")
    assert [t.meta["channel"] for t in drawn] == [0, 1, 2, 3]
    for t in drawn:
        assert t.meta["unshared"] is True
        z = np.asarray(t.z, dtype=np.float32)
        assert z.shape == (20, 3)  # a row per position, its own 3 taps
        np.testing.assert_array_equal(z, arrays["kernel/0"][:, t.meta["channel"], :])
    with pytest.raises(ValueError, match="shared first layer"):
        sharing_matrix(exp)


def test_the_sharing_matrix_times_the_input_is_the_conv_output(signals: ConvExperiment) -> None:
    _, arrays = signals.frame()
    fig = sharing_matrix(signals)
    (matrix,) = traces(fig, "matrix")
    w = np.nan_to_num(np.asarray(matrix.z, dtype=np.float64))
    x = shown_input(signals).reshape(-1).astype(np.float64)
    conv = arrays["stage/1"]  # (C_out, L_out)
    bias = arrays["bias/0"].astype(np.float64)
    out = (w @ x).reshape(conv.shape) + bias[:, None]
    np.testing.assert_allclose(out, conv, atol=1e-5)
    # coloured by the kernel weight each entry copies, and saying which one
    index = np.asarray(matrix.customdata)
    flat = arrays["kernel/0"].reshape(-1)
    copies = index >= 0
    np.testing.assert_array_equal(np.asarray(matrix.z)[copies], flat[index[copies]])
    assert np.isnan(np.asarray(matrix.z, dtype=np.float64)[~copies]).all()
    assert (index[~copies] == -1).all() and (arrays["matrix/index"][~copies] == NO_COPY).all()
    # a band: row p of channel o copies the kernel at columns p-1..p+1 (same padding)
    assert copies.sum(axis=1).max() == 3
    # the copies' gradients, summed here per kernel weight, are torch's conv gradient
    (grads,) = traces(fig, "copies")
    g = np.nan_to_num(np.asarray(grads.z, dtype=np.float64))
    summed = np.zeros(flat.size)
    np.add.at(summed, index[copies], g[copies])
    (bars_summed,) = traces(fig, "summed")
    (bars_conv,) = traces(fig, "conv")
    np.testing.assert_allclose(summed, np.asarray(bars_summed.y), atol=1e-6)
    np.testing.assert_allclose(np.asarray(bars_summed.y), np.asarray(bars_conv.y), atol=1e-5)
    assert np.abs(summed).max() > 0  # a real gradient, not zeros agreeing with zeros
    assert f"{w.shape[0]} × {w.shape[1]}" in fig.layout.title.text
    np.testing.assert_array_equal(matrix_values(arrays), np.asarray(matrix.z, dtype=np.float64))


def test_a_drawn_input_has_no_label_so_the_matrix_stands_alone(signals: ConvExperiment) -> None:
    length = signals.config.data.length
    signals.draw(np.sin(np.arange(length) / 3.0))
    try:
        fig = sharing_matrix(signals)
        assert [t.meta["role"] for t in fig.data] == ["matrix"]
        header, arrays = signals.frame()
        assert header["example"]["drawn"] is True
        np.testing.assert_allclose(arrays["stage/0"][0], np.sin(np.arange(length) / 3.0), 1e-6)
    finally:
        signals.draw(None)
    assert signals.frame()[0]["example"]["drawn"] is False


def test_a_2d_net_has_no_matrix_view(images: ConvExperiment) -> None:
    with pytest.raises(ValueError, match="1-D net"):
        sharing_matrix(images)


def test_shift_view_draws_both_inputs_and_leaves_the_shift(images: ConvExperiment) -> None:
    fig = shift_view(images, (2, 4))
    assert images.config.view.shift == ()
    _, plain = images.frame()
    moved_header, moved = images.shifted((2, 4))
    by = moved_header["shift"]
    for t in traces(fig, "original") + traces(fig, "shifted"):
        k, c = t.meta["stage"], t.meta["channel"]
        arrays = plain if t.meta["role"] == "original" else moved
        values = np.asarray(t.z if c is not None else t.y, dtype=np.float32)
        want = arrays[f"stage/{k}"] if c is None else arrays[f"stage/{k}"][c]
        np.testing.assert_array_equal(values, want)
    (shown,) = [t for t in traces(fig, "shifted") if t.meta["stage"] == 0]
    x = torch.from_numpy(shown_input(images))
    np.testing.assert_array_equal(np.asarray(shown.z), shift(x, (2, 4))[0].numpy())
    assert f"invariance error {by['invariance']:.2g}" in fig.layout.title.text
    conv_title = next(a.text for a in fig.layout.annotations if a.text.startswith("conv 1 · c0 m"))
    assert f"{by['equivariance'][1]:.2g}" in conv_title


def test_a_shifted_signal_moves_its_maps_and_keeps_its_readout(signals: ConvExperiment) -> None:
    fig = shift_view(signals, 5)
    before = {
        (t.meta["stage"], t.meta["channel"]): np.asarray(t.y) for t in traces(fig, "original")
    }
    after = {(t.meta["stage"], t.meta["channel"]): np.asarray(t.y) for t in traces(fig, "shifted")}
    for (k, c), line in before.items():
        if c is None:  # the readout: a global max forgets where the motif was
            np.testing.assert_allclose(after[(k, c)], line, rtol=0.05, atol=0.05)
            continue
        middle = slice(5 + 2, len(line) - 2)  # away from the borders and the zero band
        np.testing.assert_allclose(after[(k, c)][middle], line[middle.start - 5 : -7], atol=1e-5)


# ------------------------------------------------------------------------- the experiment


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"data": {"samples": 5}}, "data.samples"),
        ({"data": {"kind": "audio"}}, "data.kind"),
        ({"data": {"noise": "loud"}}, "data.noise"),
        ({"model": {"layers": [{"kernel": 12}]}}, "model.layers.0.kernel"),
        ({"model": {"layers": []}}, "model.layers"),
        ({"model": {"pool": "median"}}, "model.pool"),
        ({"train": {"lr": -1}}, "train.lr"),
        ({"view": {"speed": 1000}}, "view.speed"),
        ({"view": {"shift": [40]}}, "view.shift"),  # larger than the 16-pixel image
        ({"view": {"shift": [1]}}, "view.shift"),  # one shift for a 2-axis image
        (
            {
                "data": {"kind": "motifs", "length": 16},
                "model": {"layers": [{"kernel": 9, "padding": "valid"}] * 2},
            },
            "model.layers",
        ),
        ({"sight": {"speed": 2}}, "sight"),
    ],
)
def test_from_config_refuses_a_bad_value_naming_the_field(
    sections: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError) as caught:
        ConvExperiment.from_config(**sections)
    assert str(caught.value).startswith(field), str(caught.value)


def test_from_config_takes_its_settings(signals: ConvExperiment) -> None:
    assert signals.config.data.kind == "motifs" and signals.config.data.length == 32
    header, arrays = signals.frame()
    assert arrays["stage/0"].shape == (1, 32) and header["classes"] == ["no bump", "bump"]
    assert signals.step == 15 and header["step"] == 15
    m = signals.metrics()
    assert m.step == 15 and 0 <= m.test_acc <= 1
    assert header["metrics"]["test_loss"] == pytest.approx(m.test_loss)


def test_set_kernel_and_shift_change_what_is_drawn() -> None:
    exp = ConvExperiment.from_config(data={"kind": "motifs", "samples": 40, "length": 24})
    edge = np.array([-1.0, 0.0, 1.0])
    exp.set_kernel(0, 2, edge, bias=0.5)
    _, arrays = exp.frame()
    np.testing.assert_array_equal(arrays["kernel/0"][2, 0], edge)
    assert arrays["bias/0"][2] == 0.5
    x = shown_input(exp).reshape(-1)
    padded = np.concatenate([[0.0], x, [0.0]])
    want = padded[2:] - padded[:-2] + 0.5
    np.testing.assert_allclose(arrays["stage/1"][2], want, atol=1e-5)
    exp.shift(3)
    assert exp.config.view.shift == (3,)
    np.testing.assert_array_equal(exp.frame()[1]["stage/0"][0][3:], x[:-3])
    exp.shift()
    assert not exp.config.view.shift
    exp.reset()
    assert exp.step == 0 and not np.array_equal(exp.frame()[1]["kernel/0"][2, 0], edge)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda e: e.set_kernel(0, 0, [1.0, 2.0]), "weights"),
        (lambda e: e.set_kernel(0, 0, [11.0, 0.0, 0.0]), "weights"),
        (lambda e: e.set_kernel(0, 0, ["a", "b", "c"]), "weights"),
        (lambda e: e.set_kernel(2, 0, [0.0, 0.0, 0.0]), "layer"),
        (lambda e: e.set_kernel(0, 9, [0.0, 0.0, 0.0]), "channel"),
        (lambda e: e.set_kernel(0, 0, [0.0, 0.0, 0.0], bias=20), "bias"),
        (lambda e: e.draw([0.0] * 5), "values"),
        (lambda e: e.draw([50.0] * 24), "values"),
        (lambda e: e.shift(1, 2), "view.shift"),
        (lambda e: e.configure(model={"readout": "median"}), "model.readout"),
        (lambda e: e.train(-1), "steps"),
    ],
)
def test_a_refused_change_names_the_field_and_changes_nothing(call: Any, field: str) -> None:
    exp = ConvExperiment.from_config(data={"kind": "motifs", "samples": 40, "length": 24})
    before_header, before = exp.frame()
    with pytest.raises(ValueError) as caught:
        call(exp)
    assert str(caught.value).startswith(field), str(caught.value)
    after_header, after = exp.frame()
    assert after_header == before_header
    assert after.keys() == before.keys()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])


def test_save_and_load_give_identical_frames(images: ConvExperiment, tmp_path: Path) -> None:
    images.set_kernel(0, 1, np.full((3, 3), 0.25), bias=-0.1)
    path = tmp_path / "conv.json"
    images.save(path)
    again = ConvExperiment.from_file(path)
    assert again.config == images.config and again.step == images.step
    header, arrays = images.frame()
    header2, arrays2 = again.frame()
    # the generation counts the session's rebuilds (restoring is one), not the experiment
    assert {**header2, "generation": 0} == {**header, "generation": 0}
    assert arrays2.keys() == arrays.keys()
    for name in arrays:
        np.testing.assert_array_equal(arrays2[name], arrays[name])
    assert again.to_json() == images.to_json()


def test_from_file_refuses_what_is_not_a_conv_experiment(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"format": "spacefold-experiment"}')
    with pytest.raises(ValueError, match="not a spacefold convolution experiment"):
        ConvExperiment.from_file(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="cannot read"):
        ConvExperiment.from_file(tmp_path / "missing.json")


def test_from_lesson_plays_the_lesson_as_the_page_does() -> None:
    start = ConvExperiment.from_lesson("01-weight-sharing")
    assert start.step == 0 and start.config.data.kind == "motifs"
    played = ConvExperiment.from_lesson("01-weight-sharing", step=1)
    (_, reading) = play_conv("01-weight-sharing")
    assert played.step == 1 and played.config == reading.config
    header, arrays = played.frame()
    assert header == reading.header
    for name in arrays:
        np.testing.assert_array_equal(arrays[name], reading.arrays[name])
    with pytest.raises(ValueError, match=r"^step: "):
        ConvExperiment.from_lesson("01-weight-sharing", step=2)
    with pytest.raises(ValueError, match=r"^name: "):
        ConvExperiment.from_lesson("no-such-lesson")


# --------------------------------------------------------------------------- the renders


def test_maps_render_a_png_of_every_stage(images: ConvExperiment, tmp_path: Path) -> None:
    frame = images.frame()
    picture = raster.maps(frame, (900, 640), images.config.model.activation)
    path = tmp_path / "maps.png"
    picture.save(path)
    with Image.open(path) as back:
        assert back.format == "PNG" and back.size == (900, 640)
        pixels = np.asarray(back.convert("RGB"), dtype=np.float64)
    assert pixels.std() > 20  # not blank
    # the maps are drawn in the ramp's colours: red and blue pixels are both there
    red = (pixels[..., 0] > 150) & (pixels[..., 2] < 120)
    blue = (pixels[..., 2] > 140) & (pixels[..., 0] < 90)
    assert red.sum() > 100 and blue.sum() > 100


def test_a_signals_maps_render(signals: ConvExperiment) -> None:
    picture = raster.maps(signals.frame(), (700, 420))
    assert picture.size == (700, 420)
    assert np.asarray(picture, dtype=np.float64).std() > 20


@pytest.mark.parametrize("which", ["signals", "images"])
def test_shift_gif_writes_one_frame_per_shift(which: str, request: Any, tmp_path: Path) -> None:
    exp: ConvExperiment = request.getfixturevalue(which)
    shifts: list[Any] = [0, 2, 4, 6] if which == "signals" else [(0, 0), (1, 2), (2, 4)]
    path = raster.shift_gif(exp, shifts, tmp_path / "shift.gif", size=(640, 480))
    assert exp.config.view.shift == ()
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.size == (640, 480)
        count = int(getattr(gif, "n_frames", 1))
        assert count == len(shifts)
        frames = []
        for i in range(count):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB"), dtype=np.float64))
    for pixels in frames:
        assert pixels.std() > 20
    # the input moves: the first stage's row differs from frame to frame
    top = slice(TITLE, TITLE + 60)
    assert np.abs(frames[1][top] - frames[0][top]).sum() > 0


def test_shift_gif_refuses_nothing_to_draw(signals: ConvExperiment, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="shifts"):
        raster.shift_gif(signals, [], tmp_path / "none.gif")
    with pytest.raises(ValueError, match="size"):
        raster.maps(signals.frame(), (100, 80))
    assert not (tmp_path / "none.gif").exists()
