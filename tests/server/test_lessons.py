"""Lessons are data files: each loads, and each step applies the state it claims."""

import json
from pathlib import Path

import pytest
import torch
from fastapi.testclient import TestClient

from engine.lessons import load_lesson, load_lessons
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from server.app import create_app
from server.settings import LESSONS_DIR, Settings

TOPICS = [
    "linear-layer",
    "the-fold",
    "linear-cannot",
    "width-two",
    "widen-deepen",
    "tanh-relu",
    "learning-rate",
    "optimizers",
    "overfitting",
]


def test_the_shipped_lessons_all_load() -> None:
    lessons, problems = load_lessons(LESSONS_DIR)
    assert problems == {}
    assert [name.split("-", 1)[1] for name in sorted(lessons)] == TOPICS


@pytest.mark.parametrize("path", sorted(LESSONS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_each_step_applies_the_state_it_claims(path: Path) -> None:
    lesson = load_lesson(path)
    session = Session(merge_config(ExperimentConfig(), lesson.start), torch.device("cpu"))
    for step, claimed in zip(lesson.steps, lesson.configs(), strict=True):
        session.configure(merge_config(session.config, step.changes))
        assert session.config == claimed
        assert step.caption.en and step.caption.zh
        for section, values in step.changes.items():
            for key, value in values.items():
                got = getattr(getattr(session.config, section), key)
                assert got == value or list(got) == value


def write(folder: Path, name: str, content: object) -> None:
    (folder / name).write_text(content if isinstance(content, str) else json.dumps(content))


GOOD = {
    "title": {"en": "t", "zh": "t"},
    "summary": {"en": "s", "zh": "s"},
    "steps": [{"caption": {"en": "c", "zh": "c"}}],
}


def test_bad_lesson_files_are_named_with_the_reason(tmp_path: Path) -> None:
    write(tmp_path, "good.json", GOOD)
    write(tmp_path, "broken.json", "{not json")
    write(tmp_path, "no-zh.json", {**GOOD, "title": {"en": "t"}})
    write(
        tmp_path,
        "bad-change.json",
        {
            **GOOD,
            "steps": [{"caption": {"en": "c", "zh": "c"}, "changes": {"model": {"width": 99}}}],
        },
    )
    write(tmp_path, "Bad Name.json", GOOD)
    lessons, problems = load_lessons(tmp_path)
    assert list(lessons) == ["good"]
    assert "not JSON" in problems["broken"]
    assert "title.zh" in problems["no-zh"]
    assert "model.width" in problems["bad-change"]
    assert "file name" in problems["Bad Name.json"]


def test_lessons_over_http(tmp_path: Path) -> None:
    write(tmp_path, "one.json", GOOD)
    write(tmp_path, "two.json", "[]")
    settings = Settings(device="cpu", data_dir=tmp_path / "data", lessons_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        listing = client.get("/api/lessons").json()
        assert [entry["name"] for entry in listing["lessons"]] == ["one"]
        assert "two" in listing["problems"]
        assert client.get("/api/lessons/one").json()["steps"][0]["caption"]["zh"] == "c"
        assert client.get("/api/lessons/two").status_code == 422
        assert client.get("/api/lessons/three").status_code == 404
        assert client.get("/api/lessons/..%2fsecret").status_code in (404, 422)
