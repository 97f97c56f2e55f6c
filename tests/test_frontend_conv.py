"""The convolution mode's page computes what the network does (frontend/conv/convmath.js and
field.js, run in Node): padding, output sizes, cross-correlation and convolution against torch
and numpy, the sliding window against a real frame's feature maps, the matrix's copies against
the frame's summed gradients, and the receptive field against nets.conv.geometry and autograd."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.conv.frame import conv_frame
from engine.conv.schemas import ConvConfig
from engine.conv.session import ConvSession, make_spec
from nets.conv import (
    ConvNet,
    ConvSpec,
    LayerSpec,
    Padding,
    Pool,
    geometry,
    pad_amounts,
    padded_output_size,
)
from tests.node import FRONTEND, run_js

MODES: tuple[Padding, ...] = get_args(Padding)

SIZES = """
import { outputSize, paddingAmounts } from "@frontend/conv/convmath.js";
const out = DATA.cases.map(([w, f, mode, s, d]) => ({
  pad: paddingAmounts(mode, f, d), size: outputSize(w, f, mode, s, d) }));
let refused = "";
try { paddingAmounts("circular", 3, 1); } catch (e) { refused = String(e.message); }
console.log(JSON.stringify({ out, refused }));
"""

CORRELATE = """
import {
  convolve1d, convolve2d, crossCorrelate1d, crossCorrelate2d,
} from "@frontend/conv/convmath.js";
const out = DATA.cases.map((c) => {
  const one = c.dims === 1 ? crossCorrelate1d : crossCorrelate2d;
  const flipped = c.dims === 1 ? convolve1d : convolve2d;
  const args = [c.stride, c.before, c.after, c.dilation];
  return { cross: one(c.x, c.k, ...args), conv: flipped(c.x, c.k, ...args) };
});
console.log(JSON.stringify(out));
"""


def js_arrays(arrays: dict[str, Any]) -> dict[str, Any]:
    return {name: np.asarray(v).ravel().tolist() for name, v in arrays.items()}


def js_header(header: dict[str, Any], arrays: dict[str, Any]) -> dict[str, Any]:
    """The header as the page decodes it: with the ``arrays`` list the encoder adds."""
    listed = [{"name": k, "shape": list(np.asarray(v).shape)} for k, v in arrays.items()]
    return {**header, "arrays": listed}


def test_padding_and_output_sizes_are_nets_conv_s(tmp_path: Path) -> None:
    cases: list[tuple[int, int, Padding, int, int]] = [
        (w, f, mode, s, d)
        for w in (1, 5, 16, 17, 48)
        for f in range(1, 10)
        for mode in MODES
        for s in (1, 2, 3)
        for d in (1, 2, 3)
    ]
    got = run_js(SIZES, {"cases": cases}, tmp_path)
    for (w, f, mode, s, d), js in zip(cases, got["out"], strict=True):
        where = f"width {w} kernel {f} {mode} stride {s} dilation {d}"
        assert tuple(js["pad"]) == pad_amounts(mode, f, d), where
        assert js["size"] == padded_output_size(w, f, mode, s, d), where
    assert "circular" in got["refused"]


def correlate_cases(dims: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for f, mode, stride, dilation in itertools.product((1, 2, 3, 5), MODES, (1, 2, 3), (1, 2, 3)):
        shape = tuple(int(w) for w in rng.integers(6, 20, size=dims))
        before, after = pad_amounts(mode, f, dilation)
        if min(padded_output_size(w, f, mode, stride, dilation) for w in shape) < 1:
            continue
        x = rng.normal(size=shape)
        k = rng.normal(size=(f,) * dims)
        cases.append(
            {
                "dims": dims,
                "x": x.tolist(),
                "k": k.tolist(),
                "stride": stride,
                "before": before,
                "after": after,
                "dilation": dilation,
            }
        )
    return cases


@pytest.mark.parametrize("dims", [1, 2])
def test_cross_correlation_and_convolution_are_torch_s(tmp_path: Path, dims: int) -> None:
    cases = correlate_cases(dims, np.random.default_rng(dims))
    assert len(cases) > 80
    got = run_js(CORRELATE, {"cases": cases}, tmp_path)
    conv = F.conv1d if dims == 1 else F.conv2d
    for case, js in zip(cases, got, strict=True):
        x = torch.tensor(case["x"], dtype=torch.float64)[None, None]
        k = torch.tensor(case["k"], dtype=torch.float64)[None, None]
        x = F.pad(x, (case["before"], case["after"]) * dims)
        where = {key: case[key] for key in ("stride", "before", "after", "dilation")}
        expected = conv(x, k, stride=case["stride"], dilation=case["dilation"])[0, 0]
        np.testing.assert_allclose(js["cross"], expected.numpy(), atol=1e-9, err_msg=str(where))
        turned = conv(
            x,
            torch.flip(k, dims=list(range(2, 2 + dims))),
            stride=case["stride"],
            dilation=case["dilation"],
        )[0, 0]
        np.testing.assert_allclose(js["conv"], turned.numpy(), atol=1e-9, err_msg=str(where))


def test_convolution_with_full_padding_is_numpy_convolve(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    cases = []
    for f in (1, 2, 3, 4, 7):
        x, k = rng.normal(size=int(rng.integers(f, 30))), rng.normal(size=f)
        cases.append(
            {
                "dims": 1,
                "x": x.tolist(),
                "k": k.tolist(),
                "stride": 1,
                "before": f - 1,
                "after": f - 1,
                "dilation": 1,
            }
        )
    got = run_js(CORRELATE, {"cases": cases}, tmp_path)
    for case, js in zip(cases, got, strict=True):
        np.testing.assert_allclose(js["conv"], np.convolve(case["x"], case["k"], "full"), atol=1e-9)
        # An asymmetric kernel: convolution is not cross-correlation.
        if len(case["k"]) > 1:
            assert not np.allclose(js["conv"], js["cross"])


FLIP = """
import { flip, isSymmetric } from "@frontend/conv/convmath.js";
console.log(JSON.stringify({
  one: flip([1, 2, 3]), two: flip([[1, 2], [3, 4]]),
  symmetric: [isSymmetric([1, 2, 1]), isSymmetric([1, 2, 3]), isSymmetric([[0, 1], [1, 0]]),
              isSymmetric([[1, 2], [3, 4]])],
}));
"""


def test_flip_turns_the_kernel_and_knows_a_symmetric_one(tmp_path: Path) -> None:
    got = run_js(FLIP, None, tmp_path)
    assert got["one"] == [3, 2, 1]
    assert got["two"] == [[4, 3], [2, 1]]
    assert got["symmetric"] == [True, False, True, False]


SLIDE = """
import { slideAll, slideLayer, windowAt } from "@frontend/conv/convmath.js";
// The config after a change of stride, beside a frame from before it.
const restride = (config) => ({ ...config, model: { ...config.model,
  layers: [{ ...config.model.layers[0], stride: (config.model.layers[0].stride % 3) + 1 }] } });
const out = DATA.frames.map(({ header, arrays, config }) => {
  const map = new Map(Object.entries(arrays).map(([k, v]) => [k, Float32Array.from(v)]));
  return [false, true].map((flipped) => {
    const layer = slideLayer(header, map, config, 1, flipped);
    const w = windowAt(layer, 0);
    return { values: slideAll(layer), network: layer.network,
             unshared: layer.unshared, without: slideLayer(header, map, null, 1, flipped),
             stale: slideLayer(header, map, restride(config), 1, flipped),
             first: w.taps.map((t) => [t.row, t.col, t.inside]) };
  });
});
console.log(JSON.stringify(out));
"""

LAYERS: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    ({"kind": "motifs"}, {"channels": 3, "kernel": 5, "stride": 1, "padding": "same"}, False),
    (
        {"kind": "motifs"},
        {"channels": 2, "kernel": 4, "stride": 2, "padding": "full", "dilation": 2},
        False,
    ),
    ({"kind": "motifs"}, {"channels": 3, "kernel": 3, "stride": 3, "padding": "valid"}, True),
    ({"kind": "glyphs"}, {"channels": 2, "kernel": 3, "stride": 1, "padding": "same"}, False),
    (
        {"kind": "glyphs"},
        {"channels": 2, "kernel": 4, "stride": 2, "padding": "same", "dilation": 2},
        False,
    ),
    (
        {"kind": "glyphs", "size": 12},
        {"channels": 2, "kernel": 3, "stride": 2, "padding": "full"},
        True,
    ),
]


def session_frame(
    data: dict[str, Any], layer: dict[str, Any], unshared: bool, steps: int = 3
) -> tuple[ConvConfig, dict[str, Any], dict[str, Any]]:
    config = ConvConfig.model_validate(
        {"data": data, "model": {"layers": [layer], "unshared": unshared}}
    )
    session = ConvSession(config)
    session.step(steps)  # weights away from their start, biases off zero
    header, arrays = conv_frame(session)
    return config, header, arrays


def test_the_sliding_window_fills_in_the_network_s_own_layer(tmp_path: Path) -> None:
    frames: list[dict[str, Any]] = []
    expected: list[np.ndarray | None] = []
    for data, layer, unshared in LAYERS:
        config, header, arrays = session_frame(data, layer, unshared)
        frames.append(
            {
                "header": js_header(header, arrays),
                "arrays": js_arrays(arrays),
                "config": config.model_dump(mode="json"),
            }
        )
        dims = config.data.dims
        x = torch.from_numpy(arrays["stage/0"])[None].double()
        before, after = pad_amounts(layer["padding"], layer["kernel"], layer.get("dilation", 1))
        x = F.pad(x, (before, after) * dims)
        if unshared:
            expected.append(None)
            continue
        w = torch.from_numpy(arrays["kernel/0"]).double()[1:2]
        b = torch.from_numpy(arrays["bias/0"]).double()[1:2]
        conv = F.conv1d if dims == 1 else F.conv2d
        turned = torch.flip(w, dims=list(range(2, 2 + dims)))
        args = {"stride": layer["stride"], "dilation": layer.get("dilation", 1)}
        expected.append(conv(x, turned, b, **args)[0, 0].numpy().ravel())
    got = run_js(SLIDE, {"frames": frames}, tmp_path)
    for (data, layer, unshared), (cross, turned), want in zip(LAYERS, got, expected, strict=True):
        where = f"{data} {layer} unshared={unshared}"
        assert cross["unshared"] is unshared and cross["without"] is None, where
        assert cross["stale"] is None, where  # a frame of another stride is not slid
        # Cross-correlation is what the layer computes: the frame's stage/1, channel 1.
        np.testing.assert_allclose(cross["values"], cross["network"], atol=1e-4, err_msg=where)
        if want is not None:
            np.testing.assert_allclose(turned["values"], want, atol=1e-4, err_msg=where)
            assert not np.allclose(turned["values"], cross["network"], atol=1e-3), where
        # The first window hangs over the border exactly when there is padding before.
        before = pad_amounts(layer["padding"], layer["kernel"], layer.get("dilation", 1))[0]
        assert (not all(inside for *_, inside in cross["first"])) == (before > 0), where


COPIES = """
import { copiesOf, shapeOf } from "@frontend/conv/convmath.js";
const [rows, cols] = shapeOf(DATA.header, "matrix/index");
const taps = DATA.arrays["matrix/summed"].length;
const out = [];
for (let tap = 0; tap < taps; tap++) {
  const grad = DATA.arrays["matrix/grad"];
  const { copies, sum } = copiesOf(DATA.arrays["matrix/index"], cols, tap, grad);
  out.push({ count: copies.length, sum, rows: copies.map((c) => c.row) });
}
console.log(JSON.stringify({ rows, out }));
"""


@pytest.mark.parametrize("padding", MODES)
def test_the_copies_gradients_sum_to_the_shared_weight_s(tmp_path: Path, padding: Padding) -> None:
    layer = {"channels": 2, "kernel": 3, "stride": 2, "padding": padding}
    _, header, arrays = session_frame({"kind": "motifs", "length": 20}, layer, False, steps=2)
    got = run_js(
        COPIES, {"header": js_header(header, arrays), "arrays": js_arrays(arrays)}, tmp_path
    )
    summed = arrays["matrix/summed"].ravel()
    out_len = arrays["stage/1"].shape[1]
    assert got["rows"] == 2 * out_len
    for tap, js in enumerate(got["out"]):
        o, k = divmod(tap, 3)
        # One copy per window, less those that fall on padding; every copy in kernel o's rows.
        inside = [p for p in range(out_len) if 0 <= p * 2 - pad_amounts(padding, 3)[0] + k < 20]
        assert js["count"] == len(inside)
        assert all(o * out_len <= r < (o + 1) * out_len for r in js["rows"])
        np.testing.assert_allclose(js["sum"], summed[tap], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(summed, arrays["matrix/conv"].ravel(), rtol=1e-4, atol=1e-7)


FIELD = """
import { fieldExtent, receptiveField } from "@frontend/conv/field.js";
const out = DATA.cases.map(({ header, config, stage, position }) => {
  const field = receptiveField(header, config, stage, position);
  return { field, extent: fieldExtent(field) };
});
let refused = "";
try { receptiveField(DATA.cases[0].header, DATA.cases[0].config, 99, DATA.cases[0].position); }
catch (e) { refused = String(e.message); }
console.log(JSON.stringify({ out, refused }));
"""

NETS: list[tuple[str, tuple[int, ...], list[LayerSpec], Pool]] = [
    ("1-D, stride and dilation", (40,), [LayerSpec(2, 3, 2, "same", 2), LayerSpec(2, 3)], "none"),
    ("1-D, pooled", (48,), [LayerSpec(2, 3), LayerSpec(2, 5, 1, "full", 1)], "avg"),
    ("1-D, max pool", (64,), [LayerSpec(2, 4, 1, "same", 3), LayerSpec(2, 3, 2)], "max"),
    ("2-D, stride", (16, 14), [LayerSpec(2, 3, 2, "same"), LayerSpec(2, 3, 1, "same", 2)], "none"),
    ("2-D, pooled", (20, 20), [LayerSpec(2, 3, 1, "valid"), LayerSpec(2, 2)], "avg"),
]


def net_config(spec: ConvSpec) -> dict[str, Any]:
    layers = [
        {
            "channels": lay.channels,
            "kernel": lay.kernel,
            "stride": lay.stride,
            "padding": lay.padding,
            "dilation": lay.dilation,
        }
        for lay in spec.layers
    ]
    return {"model": {"layers": layers, "pool": spec.pool}}


def seen_by(
    net: ConvNet, shape: tuple[int, ...], stage: int, position: tuple[int, ...]
) -> set[Any]:
    """The input positions whose gradient of one unit (channel 0) is not zero."""
    x = torch.randn(1, 1, *shape, dtype=torch.float64, requires_grad=True)
    out = net.body[:stage](x)
    out[(0, 0, *position)].backward()
    assert x.grad is not None
    hit = np.argwhere(x.grad[0, 0].numpy() != 0)
    return {int(p[0]) if len(shape) == 1 else (int(p[0]), int(p[1])) for p in hit}


@pytest.mark.parametrize("name", [n[0] for n in NETS])
def test_the_receptive_field_is_what_the_unit_sees(tmp_path: Path, name: str) -> None:
    _, shape, layers, pool = next(n for n in NETS if n[0] == name)
    spec = ConvSpec(shape, tuple(layers), activation="linear", pool=pool)
    net = ConvNet(spec, seed=1).double()
    geo = geometry(spec)
    header = {"arrays": [{"name": "stage/0", "shape": [1, *shape]}]}
    config = net_config(spec)
    cases, meta = [], []
    for stage in range(1, len(geo)):
        size = geo[stage].shape
        for where in ("middle", "first", "last"):
            at = tuple({"middle": w // 2, "first": 0, "last": w - 1}[where] for w in size)
            position: Any = at[0] if len(shape) == 1 else list(at)
            cases.append({"header": header, "config": config, "stage": stage, "position": position})
            meta.append((stage, where, at))
    got = run_js(FIELD, {"cases": cases}, tmp_path)
    assert "99" in got["refused"]
    per = 3 if pool != "none" else 2
    whole = 0
    for (stage, where, at), js in zip(meta, got["out"], strict=True):
        label = f"{name}: stage {stage} {where} {at}"
        field = {p if isinstance(p, int) else tuple(p) for p in js["field"]}
        seen = seen_by(net, shape, stage, at)
        assert seen, label
        if pool == "max":
            assert seen <= field, label  # the max picks one of each pair
        else:
            assert seen == field, label  # random weights: every sample in the field counts
        width = geo[stage].receptive_field
        for axis, (first, last) in enumerate(js["extent"]):
            assert last - first + 1 <= width, label
            assert first >= 0 and last < shape[axis], label
            if where == "middle" and stage_is_interior(geo, stage, at, axis, width, shape):
                assert last - first + 1 == width, label
                whole += 1
        used = layers[: (stage - 1) // per + 1]
        if where == "first" and any(
            pad_amounts(lay.padding, lay.kernel, lay.dilation)[0] for lay in used
        ):
            # A border unit over padding sees less than the full field.
            assert any(last - first + 1 < width for first, last in js["extent"]), label
    assert whole >= len(geo) - 1  # every stage's middle unit had its whole field somewhere


def stage_is_interior(
    geo: list[Any], stage: int, at: tuple[int, ...], axis: int, width: int, shape: tuple[int, ...]
) -> bool:
    """Is the unit's whole field inside the input along ``axis``? (Then it must be whole.)
    The field of position p starts no later than p·step and spans ``width``; near the middle
    of a stage large enough, it lies inside."""
    step = int(geo[stage].stride)
    start = at[axis] * step - (width - 1)
    return start >= 0 and at[axis] * step + width - 1 < shape[axis]


def test_the_field_follows_a_real_frame_s_stages(tmp_path: Path) -> None:
    layers = [
        {"channels": 2, "kernel": 3, "stride": 2, "padding": "same", "dilation": 2},
        {"channels": 2, "kernel": 3, "stride": 1, "padding": "same"},
    ]
    config = ConvConfig.model_validate(
        {"data": {"kind": "glyphs", "size": 28}, "model": {"layers": layers, "pool": "max"}}
    )
    header, arrays = conv_frame(ConvSession(config))
    facts = header["stages"]
    spatial = [k for k, s in enumerate(facts) if s["kind"] in ("conv", "activation", "pool")]
    cases = []
    for k in spatial:
        h, w = arrays[f"stage/{k}"].shape[1:]
        cases.append(
            {
                "header": js_header(header, arrays),
                "config": config.model_dump(mode="json"),
                "stage": k,
                "position": [h // 2, w // 2],
            }
        )
    got = run_js(FIELD, {"cases": cases}, tmp_path)
    geo = geometry(make_spec(config))
    whole = 0
    for k, js in zip(spatial, got["out"], strict=True):
        h, w = arrays[f"stage/{k}"].shape[1:]
        at = (h // 2, w // 2)
        for axis, (first, last) in enumerate(js["extent"]):
            width = facts[k]["field"]
            if stage_is_interior(geo, k, at, axis, width, (28, 28)):
                assert last - first + 1 == width, f"stage {k}"
                whole += 1
            else:
                assert last - first + 1 <= width, f"stage {k}"
    assert whole >= 6  # the first three stages, both axes, at least


STRINGS = """
import "@frontend/conv/strings_views.js";
import { allKeys } from "@frontend/i18n.js";
console.log(JSON.stringify(allKeys()));
"""


def test_every_label_of_the_views_is_there_in_english_and_chinese(tmp_path: Path) -> None:
    keys = run_js(STRINGS, None, tmp_path)
    assert set(keys["en"]) == set(keys["zh"])
    used: set[str] = set()
    for name in ("matrix.js", "window.js"):
        source = (FRONTEND / "conv" / name).read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", source))
        used |= set(re.findall(r"""["']((?:slide|matrixview)\.\w+)["']""", source))
    assert len(used) > 30
    assert sorted(used - set(keys["en"])) == []


COLOURS = """
import { sig, tapColor } from "@frontend/conv/matrix.js";
const taps = Array.from({ length: DATA.taps }, (_, j) => tapColor(j, 0, 1));
const shades = [-1, -0.5, 0, 0.5, 1].map((v) => tapColor(3, v, 1));
const numbers = [1.26, -0.24, 0.00317, -0.0000123, 0, 123.4].map(sig);
console.log(JSON.stringify({ taps, shades, numbers }));
"""


def test_each_kernel_weight_has_a_colour_of_its_own_shaded_by_its_value(tmp_path: Path) -> None:
    got = run_js(COLOURS, {"taps": 9}, tmp_path)
    taps = np.array(got["taps"], dtype=float)
    # Any two taps of a 9-tap kernel differ clearly (a distance in 0-255 RGB).
    gaps = [np.linalg.norm(a - b) for a, b in itertools.combinations(taps, 2)]
    assert min(gaps) > 30
    # Larger weights are deeper (darker) in the same hue.
    brightness = [sum(rgb) for rgb in got["shades"]]
    assert brightness == sorted(brightness, reverse=True) and brightness[0] > brightness[-1] + 100
    minus = "\N{MINUS SIGN}"  # the page's true minus sign
    expected = ["1.26", "-0.240", "0.00317", "-1.23e-5", "0", "123"]
    assert got["numbers"] == [n.replace("-", minus) for n in expected]
