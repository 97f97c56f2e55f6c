"""One tab's convolution experiment: its config, samples, network and trainer.

Synchronous torch work, like :mod:`engine.session`: the socket calls it from a worker thread,
one call at a time per session (hold ``lock``).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from engine.conv.schemas import ConvConfig, ConvDataConfig, SetKernel, SetReadout
from engine.errors import Refused
from nets.conv import ConvNet, ConvSpec, LayerSpec, SharedConv, geometry
from nets.convtrain import ConvMetrics, ConvTrainer
from nets.digits import digit_images, digits_available
from nets.signals import MOTIFS, Jitter, Signals, glyph_images, motif_signals
from nets.train import MAX_STEP, StepLimit


def make_samples(data: ConvDataConfig) -> tuple[Signals, Signals]:
    """The training and test samples ``data`` describes, deterministic by its seed."""
    if data.kind == "digits":
        if not digits_available():
            raise Refused("the digits need scikit-learn (pip install scikit-learn)", "data.kind")
        try:
            digits = digit_images(data.samples, data.size, data.seed, data.noise, data.digits)
        except ValueError as exc:  # more samples than there are images of these digits
            raise Refused(str(exc), "data.samples") from None
        return digits.split(data.test_ratio)
    if data.kind == "glyphs" and data.positions == "anywhere":
        images = glyph_images(data.samples, data.size, data.glyphs, data.noise, data.seed)
        return images.split(data.test_ratio)
    n_test = max(1, round(data.samples * data.test_ratio))
    if data.kind == "glyphs":  # apart: trained in the left half, tested in the right
        half, jitter = data.size / 2, Jitter(box=APART_BOX)
        train, test = (
            glyph_images(n, data.size, data.glyphs, data.noise, seed, jitter, columns=columns)
            for n, seed, columns in (
                (data.samples - n_test, data.seed, (1.0, half)),
                (n_test, data.seed + 1, (half, data.size - 1.0)),
            )
        )
        return train, test
    motifs = [MOTIFS[name] for name in data.motifs]
    if data.positions == "anywhere":
        signals = motif_signals(
            data.samples, data.length, motifs, data.noise, data.seed, data.motif_mode
        )
        return signals.split(data.test_ratio)
    # Apart: training motifs start left of the middle, test motifs at or right of it.
    longest = max(len(m) for m in motifs)
    middle = (data.length - longest + 1) // 2
    parts = []
    for n, where, seed in (
        (data.samples - n_test, (0, middle), data.seed),
        (n_test, (middle, data.length - longest + 1), data.seed + 1),
    ):
        parts.append(
            motif_signals(n, data.length, motifs, data.noise, seed, data.motif_mode, where)
        )
    return parts[0], parts[1]


#: A glyph's box as a share of the image when glyphs lie apart: small enough to move in a half.
APART_BOX = 0.35


def class_names(data: ConvDataConfig) -> list[str]:
    """What each class is called: a glyph, a motif, or a motif's presence."""
    if data.kind == "glyphs":
        return list(data.glyphs)
    if data.kind == "digits":
        return [str(d) for d in data.digits]
    if data.motif_mode == "which":
        return list(data.motifs)
    return [f"no {data.motifs[0]}", data.motifs[0]]


def make_spec(config: ConvConfig) -> ConvSpec:
    d, m = config.data, config.model
    shape = (d.length,) if d.dims == 1 else (d.size, d.size)
    layers = tuple(
        LayerSpec(layer.channels, layer.kernel, layer.stride, layer.padding, layer.dilation)
        for layer in m.layers
    )
    return ConvSpec(shape, layers, 1, m.activation, m.pool, m.readout, d.classes, m.unshared)


class ConvSession:
    """The state behind one tab in the convolution mode. Hold ``lock`` around calls."""

    def __init__(self, config: ConvConfig | None = None, session_id: str | None = None) -> None:
        self.id = session_id or uuid.uuid4().hex[:12]
        self.lock = threading.Lock()
        self.config = config or ConvConfig()
        self.generation = 0
        self.running = False
        self.drawn: np.ndarray | None = None  # an input of the user's own, shaped like a sample
        self.on_change: Callable[[], None] | None = None  # a change from outside the socket
        self.edits = 0  # weights set by hand (a kernel, the classifier, an opened file)
        self._scored: tuple[tuple[int, int, int], float, ConvMetrics] | None = None
        self._build_data()
        self._build_net()

    # -- building -------------------------------------------------------------------------
    def _build_data(self) -> None:
        self.train, self.test = make_samples(self.config.data)
        self.drawn = None

    def _build_net(self) -> None:
        spec = make_spec(self.config)
        try:
            net = ConvNet(spec, seed=self.config.data.seed)
        except ValueError as exc:  # the input is too small for these layers
            raise Refused(str(exc), "model.layers") from None
        t = self.config.train
        self.trainer = ConvTrainer(
            net, self.train, self.test, t.optimizer, t.lr, t.batch_size, self.config.data.seed
        )
        self.generation += 1

    @property
    def net(self) -> ConvNet:
        return self.trainer.net

    def configure(self, config: ConvConfig) -> None:
        """Adopt ``config``, rebuilding only what its changes touch. A refused config (layers
        that do not fit the input, more digits than there are) changes nothing."""
        old = self.config
        if config.data != old.data or config.model != old.model:
            make_spec_checked(config)
        _check_view(config)
        samples = make_samples(config.data) if config.data != old.data else None
        self.config = config
        if samples is not None:
            self.train, self.test = samples
            self.drawn = None
            self._build_net()
        elif config.model != old.model:
            self._build_net()
        elif config.train != old.train:
            t = config.train
            self.trainer.set_recipe(t.optimizer, t.lr, t.batch_size)

    def reset(self) -> None:
        """New weights from the seed; the samples stay."""
        self._build_net()

    def step(self, count: int) -> float:
        """``count`` optimizer steps; Refused (naming ``count``) past the step cap."""
        try:
            return self.trainer.step(count)
        except StepLimit as exc:
            room = MAX_STEP - self.trainer.step_count
            raise Refused(str(exc), "count", f"up to {room} more steps") from None

    def metrics(self, max_age: float = 0.0) -> ConvMetrics:
        """Loss and accuracy on the training and the test samples, worked out again only when
        the net changed, and while it trains at most once every ``max_age`` seconds: scoring
        every sample costs most of a frame."""
        key = (self.generation, self.trainer.step_count, self.edits)
        now = time.monotonic()
        if self._scored is not None:
            scored_key, at, scored = self._scored
            if scored_key == key or now - at < max_age:
                return scored
        scored = self.trainer.metrics()
        self._scored = (key, now, scored)
        return scored

    # -- setting by hand --------------------------------------------------------------------
    def set_kernel(self, message: SetKernel) -> None:
        layers = self.net.conv_layers()
        if message.layer >= len(layers):
            raise Refused(
                f"the net has {len(layers)} conv layers", "layer", f"0..{len(layers) - 1}"
            )
        layer = layers[message.layer]
        if not isinstance(layer, SharedConv):
            raise Refused("an unshared layer has no one kernel to set; share it first", "layer")
        weight = layer.weight
        if message.channel >= weight.shape[0]:
            raise Refused(
                f"layer {message.layer} has {weight.shape[0]} channels",
                "channel",
                f"0..{weight.shape[0] - 1}",
            )
        taps = weight[0].numel()
        if len(message.weights) != taps:
            raise Refused(f"this kernel has {taps} taps", "weights", f"{taps} numbers")
        self.edits += 1
        with torch.no_grad():
            weight[message.channel] = torch.tensor(message.weights).reshape(weight.shape[1:])
            if message.bias is not None:
                layer.bias[message.channel] = message.bias

    def set_readout(self, message: SetReadout) -> None:
        """Set the classifier's weights (a row per class, a number per feature) and, unless
        ``bias`` is null, its biases. A wrong shape is refused and changes nothing."""
        linear = self.net.body[-1]
        if not isinstance(linear, torch.nn.Linear):
            raise Refused("this net has no linear readout", "weight")
        classes, features = linear.weight.shape
        shape = f"{classes} rows of {features} numbers"
        if len(message.weight) != classes:
            raise Refused(f"the classifier has {classes} classes", "weight", shape)
        if any(len(row) != features for row in message.weight):
            raise Refused(f"the readout has {features} features", "weight", shape)
        if message.bias is not None and len(message.bias) != classes:
            raise Refused(f"the classifier has {classes} classes", "bias", f"{classes} numbers")
        self.edits += 1
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(message.weight))
            if message.bias is not None:
                linear.bias.copy_(torch.tensor(message.bias))

    def set_input(self, values: list[float] | None) -> None:
        """Show ``values`` (a sample's worth) instead of the test sample; None: the sample."""
        if values is None:
            self.drawn = None
            return
        shape = self.test.x.shape[1:]
        size = int(np.prod(shape))
        if len(values) != size:
            raise Refused(f"an input here has {size} values", "values", f"{size} numbers")
        self.drawn = np.asarray(values, dtype=np.float32).reshape(shape)

    # -- what the page shows ----------------------------------------------------------------
    def example(self) -> tuple[np.ndarray, int | None, int]:
        """The input shown (unshifted), its label (None for a drawn one) and its test index."""
        index = min(self.config.view.example, len(self.test) - 1)
        if self.drawn is not None:
            return self.drawn, None, index
        return self.test.x[index], int(self.test.labels[index]), index

    def state(self) -> dict[str, Any]:
        return {
            "mode": "conv",
            "config": self.config.model_dump(mode="json"),
            "running": self.running,
            "step": self.trainer.step_count,
            "generation": self.generation,
        }


def make_spec_checked(config: ConvConfig) -> ConvSpec:
    """:func:`make_spec`, refusing layers that do not fit the input (before anything changes)."""
    spec = make_spec(config)
    try:
        geometry(spec)
    except ValueError as exc:
        raise Refused(str(exc), "model.layers") from None
    return spec


def _check_view(config: ConvConfig) -> None:
    """Refuse a shift that does not fit the input: one per axis, each less than its size."""
    shift, d = config.view.shift, config.data
    if shift and len(shift) != d.dims:
        raise Refused(f"give one shift per axis of the input ({d.dims})", "view.shift")
    limit = d.length if d.dims == 1 else d.size
    if any(abs(s) >= limit for s in shift):
        raise Refused(f"each shift must be less than the input's size, {limit}", "view.shift")
