"""The convolution experiment file: its config, every parameter and the step count.

The samples are not in the file: the config's seed regenerates them exactly. An input drawn
by hand is not kept either (it is a question put to the network, not part of the experiment).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import torch
from pydantic import Field

from engine.conv.schemas import ConvConfig
from engine.conv.session import ConvSession, make_spec_checked
from engine.errors import Refused
from engine.schemas import StrictModel
from nets.conv import ConvNet
from nets.train import MAX_STEP

#: The largest magnitude of any number in a file.
BOUND = 1e6
#: The most numbers one parameter may hold (an unshared 4-layer net of 16 channels on 28×28
#: images stays below it).
MAX_VALUES = 4_000_000
Number = Annotated[float, Field(ge=-BOUND, le=BOUND)]
FORMAT: Literal["spacefold-conv-experiment"] = "spacefold-conv-experiment"
DIVERGED = "the network diverged (a weight is not finite, or past ±10⁶): reset it first"


class Parameter(StrictModel):
    name: str = Field(max_length=64)
    shape: list[Annotated[int, Field(ge=1, le=MAX_VALUES)]] = Field(max_length=4)
    values: list[Number] = Field(max_length=MAX_VALUES)


class ConvExperimentFile(StrictModel):
    format: Literal["spacefold-conv-experiment"]
    version: Literal[1]
    config: ConvConfig
    parameters: list[Parameter] = Field(max_length=32)
    step: int = Field(0, ge=0, le=MAX_STEP)


def to_conv_file(session: ConvSession) -> ConvExperimentFile:
    """Everything needed to reopen ``session``'s experiment exactly. Refused when the network
    diverged (a weight is not finite, or past :data:`BOUND`)."""
    params = []
    with torch.no_grad():
        for name, p in session.net.named_parameters():
            if not bool((p.abs() <= BOUND).all()):
                raise Refused(DIVERGED)
            params.append(Parameter(name=name, shape=list(p.shape), values=p.reshape(-1).tolist()))
    return ConvExperimentFile(
        format=FORMAT,
        version=1,
        config=session.config,
        parameters=params,
        step=session.trainer.step_count,
    )


def restore_conv(session: ConvSession, saved: ConvExperimentFile) -> None:
    """Reopen a saved experiment in ``session``. The file is checked whole first: parameters
    that do not fit its own config are refused and the session stays as it was."""
    net = ConvNet(make_spec_checked(saved.config))
    wanted = {name: tuple(p.shape) for name, p in net.named_parameters()}
    found = {p.name: tuple(p.shape) for p in saved.parameters}
    if found != wanted:
        raise Refused(f"the parameters do not fit the network: {found} against {wanted}")
    for p in saved.parameters:
        size = math.prod(p.shape)
        if len(p.values) != size:
            raise Refused(f"parameter {p.name} holds {len(p.values)} numbers, not {size}")
    session.configure(saved.config)
    session.reset()  # a fresh net and optimizer of the file's shape, then its weights
    with torch.no_grad():
        own = dict(session.net.named_parameters())
        for p in saved.parameters:
            own[p.name].copy_(torch.tensor(p.values).reshape(p.shape))
    session.trainer.step_count = saved.step
    session.edits += 1
