"""The compiled arithmetic of :mod:`nets.fused`: many mini-batch steps of a small FoldNet in one
call, forward, backward and the optimizer's update, with no Python between them.

Everything is plain loops over numpy arrays, compiled by numba. Parameters and optimizer state
stay float32 (as torch keeps them) and are rounded to float32 after every step; the arithmetic
in between runs in float64 (a layer's value past float32's range becomes infinite, as in
torch), so each step agrees with torch's to float32 rounding.

Layout: ``params`` holds every Linear layer's weight (out × in, row-major, as torch) and then
its bias; ``layers[l] = (weight offset, bias offset, fan in, fan out)``. Points run as columns:
``units[:, n]`` holds every unit of point ``n`` of the batch (the input first, then each
layer's output), so the innermost loops run along the batch.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from nets.model import ACTIVATIONS
from nets.optim import DECAYS, LOSSES, OPTIMIZERS, PENALTIES

# The choices the kernel takes arrive as their positions in the project's own lists of them
# (nets.model.ACTIVATIONS, nets.optim's OPTIMIZERS, LOSSES, PENALTIES, DECAYS): one name for each
# code, worked out here (numba takes these globals as constants).
RELU, LEAKY_RELU, ELU, GELU, SOFTPLUS, TANH, SIGMOID = (
    ACTIVATIONS.index(name)
    for name in ("relu", "leaky_relu", "elu", "gelu", "softplus", "tanh", "sigmoid")
)
SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM = (
    OPTIMIZERS.index(name) for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
)
CROSS_ENTROPY, HINGE = LOSSES.index("cross_entropy"), LOSSES.index("hinge")
NO_PENALTY, L1 = PENALTIES.index("none"), PENALTIES.index("l1")
STEP_DECAY, EXPONENTIAL_DECAY, INVERSE_DECAY = (
    DECAYS.index(name) for name in ("step", "exponential", "inverse")
)

INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)


@njit(cache=True)
def _fold(code: int, z: float, leaky: float, alpha: float, beta: float, threshold: float) -> float:
    if code == RELU:
        return 0.0 if z <= 0.0 else z  # NaN stays NaN, as in torch
    if code == LEAKY_RELU:
        return z if z > 0.0 else leaky * z
    if code == ELU:
        return z if z > 0.0 else alpha * (math.exp(z) - 1.0)
    if code == GELU:
        return 0.5 * z * (1.0 + math.erf(z * INV_SQRT2))
    if code == SOFTPLUS:
        return z if z * beta > threshold else math.log1p(math.exp(beta * z)) / beta
    if code == TANH:  # tanh, through one exp (a third of libm's tanh; exact to ~1e-16)
        return 1.0 - 2.0 / (math.exp(2.0 * z) + 1.0)
    if code == SIGMOID:
        return 1.0 / (1.0 + math.exp(-z))
    return z


@njit(cache=True)
def _slope(
    code: int, z: float, a: float, leaky: float, alpha: float, beta: float, threshold: float
) -> float:
    """The fold's derivative at pre-activation ``z`` (output ``a``), as torch's backward."""
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else leaky
    if code == ELU:
        return 1.0 if z > 0.0 else alpha * math.exp(z)
    if code == GELU:
        return 0.5 * (1.0 + math.erf(z * INV_SQRT2)) + z * INV_SQRT2PI * math.exp(-0.5 * z * z)
    if code == SOFTPLUS:
        if z * beta > threshold:
            return 1.0
        e = math.exp(z * beta)
        return e / (e + 1.0)
    if code == TANH:
        return 1.0 - a * a
    if code == SIGMOID:
        return a * (1.0 - a)
    return 1.0


FLOAT32_MAX = float(np.finfo(np.float32).max)


@njit(cache=True)
def _overflow(row: np.ndarray, size: int) -> None:
    """Torch's layer sums are float32: one too large for a float32 becomes infinite there, so
    it does here (the same Diverged, at the same step). Checked first: rare, and cheap so."""
    big = 0.0
    for n in range(size):
        big = max(big, abs(row[n]))
    if big > FLOAT32_MAX:
        for n in range(size):
            row[n] = float(np.float32(row[n]))


@njit(cache=True)
def _rate(lr: float, decay: int, every: int, step: int) -> float:
    """nets.optim.decayed_lr."""
    if decay == STEP_DECAY:
        return float(lr * 0.5 ** (step // every))
    if decay == EXPONENTIAL_DECAY:
        return float(lr * 0.5 ** (step / every))
    if decay == INVERSE_DECAY:
        return lr / (1.0 + step / every)
    return lr


@njit(cache=True)
def _loss(
    loss: int,
    classes: int,
    units: np.ndarray,
    delta: np.ndarray,
    out0: int,
    y: np.ndarray,
    batch: np.ndarray,
    size: int,
) -> float:
    """The mean data loss of the outputs (rows ``out0``… of ``units``); its gradient with
    respect to the outputs goes into the same rows of ``delta``."""
    total = 0.0
    for n in range(size):
        target = y[batch[n]]
        if classes == 1:  # a regression net: the squared error
            diff = units[out0, n] - target
            total += diff * diff
            delta[out0, n] = 2.0 * diff / size
            continue
        label = int(target)
        if loss == CROSS_ENTROPY:
            top = units[out0, n]
            for k in range(1, classes):
                top = max(top, units[out0 + k, n])
            s = 0.0
            for k in range(classes):
                e = math.exp(units[out0 + k, n] - top)
                delta[out0 + k, n] = e
                s += e
            total += math.log(s) + top - units[out0 + label, n]
            for k in range(classes):
                p = delta[out0 + k, n] / s
                delta[out0 + k, n] = (p - (1.0 if k == label else 0.0)) / size
        elif loss == HINGE:  # sum over the other classes of max(0, 1 - z_y + z_k) / K
            zy = units[out0 + label, n]
            delta[out0 + label, n] = 0.0
            for k in range(classes):
                if k == label:
                    continue
                margin = 1.0 - zy + units[out0 + k, n]
                if margin > 0.0:
                    total += margin / classes
                    delta[out0 + k, n] = 1.0 / (classes * size)
                    delta[out0 + label, n] -= 1.0 / (classes * size)
                else:
                    delta[out0 + k, n] = 0.0
        else:  # the squared error of the softmax against the one-hot label
            top = units[out0, n]
            for k in range(1, classes):
                top = max(top, units[out0 + k, n])
            s = 0.0
            for k in range(classes):
                s += math.exp(units[out0 + k, n] - top)
            dot = 0.0
            for k in range(classes):
                p = math.exp(units[out0 + k, n] - top) / s
                diff = p - (1.0 if k == label else 0.0)
                total += diff * diff / classes
                g = 2.0 * diff / (classes * size)
                delta[out0 + k, n] = g  # dL/dp for now
                dot += g * p
            for k in range(classes):
                p = math.exp(units[out0 + k, n] - top) / s
                delta[out0 + k, n] = p * (delta[out0 + k, n] - dot)
    return total / size


@njit(cache=True)
def _update(
    optimizer: int,
    params: np.ndarray,
    grads: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    lr: float,
    t: float,
    momentum: float,
    betas0: float,
    betas1: float,
    adam_eps: float,
    adagrad_eps: float,
    rms_alpha: float,
    rms_eps: float,
) -> None:
    """One step of torch.optim's update (its defaults), every parameter; ``t`` counts this
    step (Adam's bias correction)."""
    c1 = 1.0 - betas0**t if optimizer == ADAM else 1.0
    c2 = math.sqrt(1.0 - betas1**t) if optimizer == ADAM else 1.0
    for i in range(params.size):
        g = float(grads[i])
        if optimizer == SGD:
            params[i] = params[i] - lr * g
        elif optimizer in (MOMENTUM, NESTEROV):
            buf = np.float32(momentum * first[i] + g)
            first[i] = buf
            step = g + momentum * buf if optimizer == NESTEROV else float(buf)
            params[i] = params[i] - lr * step
        elif optimizer == ADAGRAD:
            acc = np.float32(first[i] + g * g)
            first[i] = acc
            params[i] = params[i] - lr * g / (math.sqrt(acc) + adagrad_eps)
        elif optimizer == RMSPROP:
            avg = np.float32(rms_alpha * second[i] + (1.0 - rms_alpha) * g * g)
            second[i] = avg
            params[i] = params[i] - lr * g / (math.sqrt(avg) + rms_eps)
        else:
            m = np.float32(first[i] + (1.0 - betas0) * (g - first[i]))
            v = np.float32(betas1 * second[i] + (1.0 - betas1) * g * g)
            first[i] = m
            second[i] = v
            params[i] = params[i] - (lr / c1) * m / (math.sqrt(v) / c2 + adam_eps)


@njit(cache=True, nogil=True)  # other threads (frames, the server's loop) run meanwhile
def train_steps(
    params: np.ndarray,  # float32 (P,): in place
    layers: np.ndarray,  # int64 (L, 4)
    fold: int,
    fold_constants: np.ndarray,  # float64: leaky slope, ELU alpha, softplus beta, threshold
    loss: int,
    classes: int,
    penalty: int,
    rate: float,
    optimizer: int,
    optimizer_constants: np.ndarray,  # float64: momentum, betas, Adam eps, Adagrad eps, RMS
    lr: float,
    decay: int,
    decay_every: int,
    step0: int,  # the trainer's step count before the first step
    t0: float,  # the optimizer's own step count before the first step
    first: np.ndarray,  # float32 (P,): momentum buffer, Adagrad sum, Adam exp_avg; in place
    second: np.ndarray,  # float32 (P,): RMSprop square_avg, Adam exp_avg_sq; in place
    x: np.ndarray,  # float32 (N, inputs): the training points (their input features)
    y: np.ndarray,  # float64 (N,): labels, or targets of a regression net
    batches: np.ndarray,  # int64 (steps, B) indices into x; (0, 0) for the whole set
    steps: int,
    losses: np.ndarray,  # float64 (steps,): each step's objective (data loss + penalty)
    grads: np.ndarray,  # float32 (P,): out: the last step's gradient
    before: np.ndarray,  # float32 (P,): out: the parameters before the last step
    stats: np.ndarray,  # float64 (L, 2): out: each weight's gradient norm and |update| / |w|
) -> tuple[int, bool]:
    """Take up to ``steps`` steps: how many were taken (fewer when a step's objective was not
    finite: that step is taken, as torch's would be, and the run stops after it), and whether
    every parameter is finite after them. ``stats`` is filled after the last of ``steps``."""
    # Indexed one by one: unpacking the arrays made every step a fifth slower (measured).
    leaky, alpha, beta, threshold = (
        fold_constants[0],
        fold_constants[1],
        fold_constants[2],
        fold_constants[3],
    )
    momentum, betas0, betas1 = (
        optimizer_constants[0],
        optimizer_constants[1],
        optimizer_constants[2],
    )
    adam_eps, adagrad_eps = optimizer_constants[3], optimizer_constants[4]
    rms_alpha, rms_eps = optimizer_constants[5], optimizer_constants[6]
    whole = batches.shape[0] == 0
    size = x.shape[0] if whole else batches.shape[1]
    depth = layers.shape[0]
    inputs = x.shape[1]
    # Unit rows: the input, then each layer's outputs; pre-activations kept beside them.
    starts = np.empty(depth + 1, dtype=np.int64)
    starts[0] = 0
    for layer in range(depth):
        starts[layer + 1] = starts[layer] + (inputs if layer == 0 else layers[layer - 1, 3])
    rows = starts[depth] + layers[depth - 1, 3]
    units = np.zeros((rows, size))
    pre = np.zeros((rows, size))
    delta = np.zeros((rows, size))
    g64 = np.zeros(params.size)
    batch = np.arange(size) if whole else batches[0]
    done = 0
    for step in range(steps):
        if step == 0 or not whole:  # the batch's points into the input rows (kept all along)
            if not whole:
                batch = batches[step]
            for n in range(size):
                for j in range(inputs):
                    units[j, n] = x[batch[n], j]
        # forward
        for layer in range(depth):
            w0, b0, fan_in, fan_out = layers[layer]
            src, dst = starts[layer], starts[layer + 1]
            hidden = layer < depth - 1
            for i in range(fan_out):
                row = pre[dst + i]
                bias = float(params[b0 + i])
                for n in range(size):
                    row[n] = bias
                for j in range(fan_in):
                    w = float(params[w0 + i * fan_in + j])
                    inp = units[src + j]
                    for n in range(size):
                        row[n] += w * inp[n]
                _overflow(row, size)
                out = units[dst + i]
                if hidden:
                    for n in range(size):
                        out[n] = _fold(fold, row[n], leaky, alpha, beta, threshold)
                else:
                    for n in range(size):
                        out[n] = row[n]
        out0 = int(starts[depth])
        value = _loss(loss, classes, units, delta, out0, y, batch, size)
        # backward
        for k in range(g64.size):
            g64[k] = 0.0
        for layer in range(depth - 1, -1, -1):
            w0, b0, fan_in, fan_out = layers[layer]
            src, dst = starts[layer], starts[layer + 1]
            for i in range(fan_out):
                d = delta[dst + i]
                gb = 0.0
                for n in range(size):
                    gb += d[n]
                g64[b0 + i] = gb
                for j in range(fan_in):
                    inp = units[src + j]
                    gw = 0.0
                    for n in range(size):
                        gw += d[n] * inp[n]
                    g64[w0 + i * fan_in + j] = gw
            if layer == 0:
                continue
            for j in range(fan_in):
                back = delta[src + j]
                for n in range(size):
                    back[n] = 0.0
                for i in range(fan_out):
                    w = float(params[w0 + i * fan_in + j])
                    d = delta[dst + i]
                    for n in range(size):
                        back[n] += w * d[n]
                z, a = pre[src + j], units[src + j]
                for n in range(size):
                    back[n] *= _slope(fold, z[n], a[n], leaky, alpha, beta, threshold)
        # the weight penalty (weights only, not biases)
        extra = 0.0
        if penalty != NO_PENALTY and rate != 0.0:
            for layer in range(depth):
                w0, count = layers[layer, 0], layers[layer, 2] * layers[layer, 3]
                for k in range(w0, w0 + count):
                    w = float(params[k])
                    if penalty == L1:
                        extra += abs(w)
                        g64[k] += rate * (1.0 if w > 0.0 else -1.0 if w < 0.0 else 0.0)
                    else:
                        extra += w * w
                        g64[k] += rate * w
            extra = rate * extra if penalty == L1 else rate / 2.0 * extra
        objective = np.float32(value + extra)
        losses[step] = objective
        for k in range(g64.size):
            grads[k] = g64[k]
        if step == steps - 1:
            before[:] = params
        _update(
            optimizer,
            params,
            grads,
            first,
            second,
            _rate(lr, decay, decay_every, step0 + step),
            t0 + step + 1,
            momentum,
            betas0,
            betas1,
            adam_eps,
            adagrad_eps,
            rms_alpha,
            rms_eps,
        )
        done += 1
        if not math.isfinite(objective):
            break
        if step == steps - 1:
            _layer_stats(params, before, grads, layers, stats)
    finite = True
    for k in range(params.size):
        if not math.isfinite(params[k]):
            finite = False
            break
    return done, finite


@njit(cache=True)
def _layer_stats(
    params: np.ndarray,
    before: np.ndarray,
    grads: np.ndarray,
    layers: np.ndarray,
    stats: np.ndarray,
) -> None:
    """Per layer, of its weight (not its bias): the gradient's norm and how far the last step
    moved it, relative to its norm before (0 for a zero weight)."""
    for layer in range(layers.shape[0]):
        w0, count = layers[layer, 0], layers[layer, 2] * layers[layer, 3]
        g = moved = norm = 0.0
        for k in range(w0, w0 + count):
            g += float(grads[k]) ** 2
            moved += (float(params[k]) - float(before[k])) ** 2
            norm += float(before[k]) ** 2
        stats[layer, 0] = math.sqrt(g)
        stats[layer, 1] = math.sqrt(moved) / math.sqrt(norm) if norm > 0.0 else 0.0
