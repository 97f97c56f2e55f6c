"""The gym trains playing sessions apart from their frames, and those of one shape together."""

from __future__ import annotations

from collections.abc import Hashable

import pytest
import torch
from fastapi.testclient import TestClient

from engine.presets import PRESETS
from engine.session import Session
from nets import fused
from nets.cohort import Cohort, cohort_key
from nets.train import MAX_STEP, StepLimit, Trainer
from server.gym import Done, Gym, Member

from .wsutil import next_event, next_frame, send


def frame_step_reaching(ws: object, step: int) -> int:
    for _ in range(400):
        header, _ = next_frame(ws)  # type: ignore[arg-type]
        if header["step"] >= step:
            return int(header["step"])
    raise AssertionError(f"no frame at step {step} or later")


def by_hand(sessions: list[Session], owed: int, told: list[Done] | None = None) -> Gym:
    """A gym never started (its runs are called by hand) with ``sessions`` playing, each owed
    ``owed`` steps and told of its runs by ``told`` (nothing, without)."""
    gym = Gym(slice_s=60.0)
    for i, s in enumerate(sessions):
        s.running = True
        gym.join(s, told[i] if told else lambda result: None)
    for member in gym.members.values():
        member.owed = owed
    return gym


@pytest.fixture
def cohorts_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sessions of one shape make a cohort (a class makes one from COHORT_MIN up)."""
    monkeypatch.setattr("server.gym.COHORT_MIN", 2)


def test_a_small_class_trains_one_by_one_on_the_fused_path() -> None:
    sessions = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(3)]
    solo = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(3)]
    gym = by_hand(sessions, 40)
    assert all(s.trainer.path is None for s in sessions)
    groups = gym._cohorts(list(gym.members.values()))
    assert sorted(len(g) for g in groups.values()) == [1, 1, 1]
    for key, group in groups.items():
        assert gym._run(key, group)
    assert not gym.cohorts
    for s, t in zip(sessions, solo, strict=True):
        t.train(40)
        assert s.step == t.step == 40
        for p, q in zip(s.net.parameters(), t.net.parameters(), strict=True):
            torch.testing.assert_close(p, q)


@pytest.mark.usefixtures("cohorts_of_two")
def test_two_tabs_of_one_shape_train_as_one_cohort(client: TestClient) -> None:
    gym: Gym = client.app.state.gym  # type: ignore[attr-defined]
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        for ws in (a, b):
            next_event(ws, "hello")
            send(ws, type="configure", changes={"view": {"speed": 0}})
            next_event(ws, "state")
        for ws in (a, b):
            send(ws, type="play")
        for ws in (a, b):
            frame_step_reaching(ws, 300)
        ((cohort, _),) = gym.cohorts.values()
        ids = {a_id for a_id in gym.members}
        assert len(cohort.trainers) == 2 and len(ids) == 2
        for ws in (a, b):
            send(ws, type="pause")
            paused = next_event(ws, "state")
            assert paused["running"] is False
        # Paused: the frames that follow all show the step where it stopped.
        header, _ = next_frame(a)
        for _ in range(3):
            send(a, type="set_weight", layer=1, row=0, col=0, value=0.5)
            assert next_frame(a)[0]["step"] == header["step"]


@pytest.mark.usefixtures("cohorts_of_two")
def test_a_cohort_run_equals_each_sessions_own_steps() -> None:
    """Two sessions trained by the gym's cohort path end where their own training does."""
    sessions = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(2)]
    solo = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(2)]
    gym = by_hand(sessions, 40)
    ((key, group),) = gym._cohorts(list(gym.members.values())).items()
    assert gym._run(key, group)
    for s in solo:
        s.train(40)
    for s, t in zip(sessions, solo, strict=True):
        assert s.step == t.step == 40
        for p, q in zip(s.net.parameters(), t.net.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


def test_a_failure_in_the_loop_does_not_stop_training(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}

    def flaky(trainer: Trainer) -> Hashable | None:
        calls["n"] += 1
        if calls["n"] <= 3:
            raise RuntimeError("a bug")
        return cohort_key(trainer)

    monkeypatch.setattr("server.gym.cohort_key", flaky)
    with client.websocket_connect("/ws") as ws:
        next_event(ws, "hello")
        send(ws, type="play")
        assert frame_step_reaching(ws, 20) >= 20  # trained after the failures
    assert calls["n"] > 3


def test_a_member_that_cannot_take_its_news_does_not_keep_it_from_the_others() -> None:
    heard: list[str] = []

    def refuse(result: Exception | None) -> None:
        raise RuntimeError("a bug in one connection")

    sessions = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(3)]
    members = [
        Member(sessions[0], lambda r: heard.append("a")),
        Member(sessions[1], refuse),
        Member(sessions[2], lambda r: heard.append("c")),
    ]
    Gym._report([(m, None) for m in members])
    assert heard == ["a", "c"]


@pytest.mark.usefixtures("cohorts_of_two")
def test_a_cohort_stops_each_member_at_the_last_step_it_may_count() -> None:
    """A member at MAX_STEP is told so and not trained; the others stop exactly at MAX_STEP."""
    sessions = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(3)]
    told: dict[int, list[Exception | None]] = {i: [] for i in range(3)}
    for s, left in zip(sessions, (0, 3, 40), strict=True):
        s.trainer.step_count = MAX_STEP - left
    gym = by_hand(sessions, 40, [told[i].append for i in range(3)])
    ((key, group),) = gym._cohorts(list(gym.members.values())).items()
    assert gym._run(key, group)
    assert [s.step for s in sessions] == [MAX_STEP, MAX_STEP, MAX_STEP - 37]
    assert isinstance(told[0][0], StepLimit) and "2**53" in str(told[0][0])
    assert told[1] == told[2] == [None]
    with pytest.raises(StepLimit):
        Cohort([s.trainer for s in sessions]).train(1)
    assert [s.step for s in sessions] == [MAX_STEP, MAX_STEP, MAX_STEP - 37]  # nothing trained


@pytest.mark.usefixtures("cohorts_of_two")
def test_a_cohort_let_go_leaves_its_members_training_alone_bound() -> None:
    sessions = [Session(PRESETS["default"], torch.device("cpu")) for _ in range(2)]
    gym = by_hand(sessions, 10)
    ((key, group),) = gym._cohorts(list(gym.members.values())).items()
    assert gym._run(key, group)
    cohort, _ = gym.cohorts[key]
    before = [[p.detach().clone() for p in s.net.parameters()] for s in sessions]
    gym._let_go(cohort)
    assert not cohort.fits([s.trainer for s in sessions])  # the tensors are their own again
    for s, values in zip(sessions, before, strict=True):
        for p, q in zip(s.net.parameters(), values, strict=True):
            assert torch.equal(p, q)
        s.train(3)
        assert s.trainer.path is None and not fused._plan(s.trainer)[1]  # bound, not copying
