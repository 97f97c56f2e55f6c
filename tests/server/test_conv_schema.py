"""The conv config: what GET /api/conv/schema serves, and what a ConvSession does with a
config, a kernel or an input given to it, and what it refuses (changing nothing)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from engine.conv.schemas import CONV_FIELDS, MAX_VALUE, ConvConfig, SetKernel, SetReadout
from engine.conv.session import ConvSession
from engine.errors import Refused
from engine.schemas import merge_config
from nets.conv import SharedConv
from nets.sharing import KERNELS_1D, KERNELS_2D
from nets.signals import GLYPHS, MOTIFS

MOTIF_DATA: dict[str, Any] = {"kind": "motifs"}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ----------------------------------------------------------------------------- the schema


def test_the_schema_serves_the_defaults_fields_and_classic_kernels(client: TestClient) -> None:
    answer = client.get("/api/conv/schema")
    assert answer.status_code == 200
    schema = answer.json()
    assert ConvConfig.model_validate(schema["defaults"]) == ConvConfig()
    assert schema["defaults"] == ConvConfig().model_dump(mode="json")
    assert schema["fields"] == CONV_FIELDS
    for name, entry in CONV_FIELDS.items():  # every field's default is the config's own
        section, *rest = name.split(".")
        value: Any = schema["defaults"][section]
        for part in rest:
            value = value[0] if part == "*" else value[part]
        assert entry["default"] == value, name
    assert schema["kernels"]["1d"] == {k: v.tolist() for k, v in KERNELS_1D.items()}
    assert schema["kernels"]["2d"] == {k: v.tolist() for k, v in KERNELS_2D.items()}
    assert set(schema["kernels"]["2d"]) == {"edge", "edge_y", "blur", "sharpen"}
    np.testing.assert_array_equal(
        schema["kernels"]["2d"]["edge"], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    )
    assert schema["motifs"] == {k: v.tolist() for k, v in MOTIFS.items()}
    assert schema["glyphs"] == list(GLYPHS)
    assert schema["max_value"] == MAX_VALUE == 10


def test_the_field_table_gives_ranges_and_choices() -> None:
    assert CONV_FIELDS["model.layers.*.kernel"]["min"] == 1
    assert CONV_FIELDS["model.layers.*.kernel"]["max"] == 9
    assert CONV_FIELDS["model.layers.*.channels"]["max"] == 16
    assert set(CONV_FIELDS["model.pool"]["choices"]) == {"none", "max", "avg"}
    assert set(CONV_FIELDS["model.readout"]["choices"]) == {"max", "avg", "flatten"}
    assert CONV_FIELDS["view.speed"]["max"] == 200


# ---------------------------------------------------------------------- configuring a session


def session_of(changes: dict[str, Any] | None = None, steps: int = 0) -> ConvSession:
    session = ConvSession(merge_config(ConvConfig(), changes or {}))
    if steps:
        session.step(steps)
    return session


def weights(session: ConvSession) -> list[torch.Tensor]:
    return [p.detach().clone() for p in session.net.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_a_data_change_makes_new_samples_and_a_new_net() -> None:
    session = session_of(steps=5)
    old_x, trained = session.test.x.copy(), weights(session)
    session.configure(merge_config(session.config, {"data": {"seed": 1}}))
    assert session.generation == 2 and session.trainer.step_count == 0
    assert session.test.x.shape == old_x.shape and not np.array_equal(session.test.x, old_x)
    assert not same(weights(session), trained)
    fresh = session_of({"data": {"seed": 1}})
    np.testing.assert_array_equal(session.test.x, fresh.test.x)  # exactly the seed's samples
    assert same(weights(session), weights(fresh))  # and the seed's net


def test_a_data_change_of_kind_rebuilds_for_signals() -> None:
    session = session_of(steps=2)
    session.configure(merge_config(session.config, {"data": MOTIF_DATA}))
    assert session.test.x.shape[1:] == (1, 48)
    assert session.net.spec.input_shape == (48,) and session.generation == 2


def test_a_model_change_makes_a_new_net_on_the_same_samples() -> None:
    session = session_of(steps=5)
    old_x = session.test.x
    session.configure(merge_config(session.config, {"model": {"layers": [{"channels": 6}]}}))
    assert session.generation == 2 and session.trainer.step_count == 0
    assert session.test.x is old_x
    assert session.net.conv_layers()[0].weight.shape == (6, 1, 3, 3)


def test_a_train_change_keeps_the_weights() -> None:
    session = session_of(steps=5)
    trained, trainer = weights(session), session.trainer
    session.configure(merge_config(session.config, {"train": {"lr": 0.5, "optimizer": "sgd"}}))
    assert session.generation == 1 and session.trainer is trainer and trainer.step_count == 5
    assert same(weights(session), trained)
    assert trainer.opt.param_groups[0]["lr"] == 0.5


def test_a_view_change_keeps_everything_else() -> None:
    session = session_of(steps=3)
    trained = weights(session)
    session.configure(merge_config(session.config, {"view": {"example": 7, "shift": [1, 2]}}))
    assert session.generation == 1 and same(weights(session), trained)
    assert session.example()[2] == 7


def assert_unchanged(session: ConvSession, config: ConvConfig, kept: list[torch.Tensor]) -> None:
    assert session.config == config and session.generation == 1
    assert same(weights(session), kept)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"model": {"layers": [{"kernel": 9, "padding": "valid"}] * 2}}, "model.layers"),
        ({"model": {"layers": [{"stride": 3, "padding": "valid"}] * 4}}, "model.layers"),
        ({"model": {"pool": "max", "layers": [{"channels": 2}] * 4}, "data": {"size": 12}}, None),
        (
            {"data": {"size": 12}, "model": {"layers": [{"kernel": 9, "padding": "valid"}] * 2}},
            None,
        ),
        ({"view": {"shift": [1]}}, "view.shift"),
        ({"view": {"shift": [16, 0]}}, "view.shift"),
        ({"view": {"shift": [0, -16]}}, "view.shift"),
        ({"data": MOTIF_DATA}, "view.shift"),  # two shifts for a signal's one axis
    ],
)
def test_what_does_not_fit_is_refused_and_nothing_changes(
    changes: dict[str, Any], field: str | None
) -> None:
    session = session_of({"view": {"shift": [1, 1]}}, steps=2)
    config, kept = session.config, weights(session)
    merged = merge_config(config, changes)  # a valid config, but not for this input
    with pytest.raises(Refused) as refused:
        session.configure(merged)
    assert refused.value.field == (field or "model.layers")
    assert_unchanged(session, config, kept)
    session.step(1)  # the session lives on
    assert session.trainer.step_count == 3


def test_a_signal_shift_must_be_shorter_than_the_signal() -> None:
    session = session_of({"data": MOTIF_DATA})
    config = session.config
    for bad in ([48], [-48], [1, 1]):
        with pytest.raises(Refused) as refused:
            session.configure(merge_config(config, {"view": {"shift": bad}}))
        assert refused.value.field == "view.shift"
    assert session.config == config
    session.configure(merge_config(config, {"view": {"shift": [-47]}}))
    assert session.config.view.shift == (-47,)


# ------------------------------------------------------------------------------ by hand


def kernel_message(**fields: Any) -> SetKernel:
    return SetKernel.model_validate({"type": "set_kernel", **fields})


def test_set_kernel_sets_exactly_that_kernel_and_bias() -> None:
    session = session_of({"model": {"layers": [{"channels": 3}, {"channels": 2, "kernel": 2}]}})
    before = weights(session)
    taps = [float(v) for v in np.linspace(-2, 2, 3 * 2 * 2)]  # C_in = 3, F = 2: 3·2·2 taps
    session.set_kernel(kernel_message(layer=1, channel=1, weights=taps, bias=0.5))
    layer = session.net.conv_layers()[1]
    assert isinstance(layer, SharedConv)
    set_to = layer.weight[1].detach().numpy().ravel()
    np.testing.assert_array_equal(set_to, np.array(taps, dtype=np.float32))
    assert float(layer.bias[1].detach()) == 0.5
    changed = [not torch.equal(a, b) for a, b in zip(before, weights(session), strict=True)]
    names = [name for name, _ in session.net.named_parameters()]
    assert [n for n, c in zip(names, changed, strict=True) if c] == [
        "body.2.weight",
        "body.2.bias",
    ]
    untouched = torch.cat([layer.weight[0].ravel(), layer.bias[:1]])
    assert torch.equal(untouched, torch.cat([before[2][0].ravel(), before[3][:1]]))
    bias = float(layer.bias[0].detach())
    session.set_kernel(kernel_message(layer=1, channel=0, weights=taps))  # bias null: kept
    assert float(layer.bias[0].detach()) == bias


def test_set_kernel_weights_run_channel_by_channel_row_by_row() -> None:
    session = session_of()
    edge = KERNELS_2D["edge"]
    session.set_kernel(kernel_message(layer=0, channel=2, weights=edge.ravel().tolist()))
    np.testing.assert_array_equal(session.net.conv_layers()[0].weight[2, 0].detach(), edge)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"layer": 1, "channel": 0, "weights": [0.0] * 9}, "layer"),
        ({"layer": 0, "channel": 4, "weights": [0.0] * 9}, "channel"),
        ({"layer": 0, "channel": 0, "weights": [0.0] * 8}, "weights"),
        ({"layer": 0, "channel": 0, "weights": [0.0] * 10}, "weights"),
    ],
)
def test_a_kernel_that_does_not_fit_is_refused(fields: dict[str, Any], field: str) -> None:
    session = session_of({"model": {"layers": [{"channels": 4}]}}, steps=1)
    kept = weights(session)
    with pytest.raises(Refused) as refused:
        session.set_kernel(kernel_message(**fields, bias=1.0))
    assert refused.value.field == field
    assert same(weights(session), kept)


def test_an_unshared_layer_has_no_kernel_to_set() -> None:
    session = session_of({"data": MOTIF_DATA, "model": {"unshared": True}})
    kept = weights(session)
    with pytest.raises(Refused) as refused:
        session.set_kernel(kernel_message(layer=0, channel=0, weights=[1.0, 0.0, -1.0]))
    assert refused.value.field == "layer"
    assert same(weights(session), kept)


def readout_message(**fields: Any) -> SetReadout:
    return SetReadout.model_validate({"type": "set_readout", **fields})


def test_set_readout_sets_the_classifier_and_nothing_else() -> None:
    session = session_of({"model": {"layers": [{"channels": 3}]}}, steps=2)
    before = weights(session)
    weight = [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]  # two classes, three channels pooled
    session.set_readout(readout_message(weight=weight, bias=[0.25, -0.25]))
    classifier = session.net.body[-1]
    assert isinstance(classifier, torch.nn.Linear)
    assert classifier.weight.detach().tolist() == weight
    assert classifier.bias.detach().tolist() == [0.25, -0.25]
    assert same(weights(session)[:-2], before[:-2])
    session.set_readout(readout_message(weight=weight, bias=None))  # null: biases kept
    assert classifier.bias.detach().tolist() == [0.25, -0.25]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weight": [[1.0, 2.0, 3.0]]}, "weight"),  # one row for two classes
        ({"weight": [[1.0, 2.0], [3.0, 4.0]]}, "weight"),  # two features for three channels
        ({"weight": [[0.0] * 3] * 2, "bias": [1.0]}, "bias"),
    ],
)
def test_a_readout_that_does_not_fit_is_refused(fields: dict[str, Any], field: str) -> None:
    session = session_of({"model": {"layers": [{"channels": 3}]}}, steps=1)
    kept = weights(session)
    with pytest.raises(Refused) as refused:
        session.set_readout(readout_message(**fields))
    assert refused.value.field == field
    assert same(weights(session), kept)


@pytest.mark.parametrize("count", [0, 255, 257, 48])
def test_an_input_of_the_wrong_size_is_refused(count: int) -> None:
    session = session_of()
    with pytest.raises(Refused) as refused:
        session.set_input([0.0] * count)
    assert refused.value.field == "values"
    assert session.drawn is None and session.example()[1] is not None


def test_a_drawn_input_is_shown_until_taken_back() -> None:
    session = session_of({"data": MOTIF_DATA})
    session.set_input([float(i % 5) for i in range(48)])
    shown, label, _ = session.example()
    assert label is None and shown.shape == (1, 48) and shown[0, 7] == 2.0
    session.set_input(None)
    assert session.example()[1] == int(session.test.labels[0])


def test_a_data_change_forgets_the_drawn_input() -> None:
    session = session_of()
    session.set_input([0.5] * 256)
    session.configure(merge_config(session.config, {"data": {"noise": 0.2}}))
    assert session.drawn is None
