"""The classroom in the page: lessons, language, shortcuts and help, presenter mode, full screen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.lessons import load_lesson

from .support import Tab

LESSONS = Path(__file__).resolve().parents[2] / "lessons"

# What the page's config says, section by section, once it is what the server said last.
CONFIG = "() => window.spacefold.state.config"


def lesson_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LESSONS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def expected_config(name: str, k: int) -> dict[str, Any]:
    """The config the server's own lesson code says step ``k`` (0-based) leaves."""
    config: dict[str, Any] = (
        load_lesson(LESSONS / f"{name}.json").configs()[k].model_dump(mode="json")
    )
    return config


def wait_for_step(tab: Tab, name: str, k: int) -> None:
    """Wait until the session's data, model and train settings are lesson step k's."""
    want = expected_config(name, k)
    want = {part: want[part] for part in ("data", "model", "train")}
    tab.wait(
        "(want) => { const c = window.spacefold.state.config;"
        " return ['data', 'model', 'train'].every("
        "   (part) => JSON.stringify(c[part]) === JSON.stringify(want[part])); }",
        want,
    )


def test_stepping_through_a_lesson_sets_up_each_step(tab: Tab) -> None:
    name = "08-optimizers"
    lesson = lesson_file(name)
    tab.open("?paused=1")
    tab.page.get_by_test_id("lesson-pick").select_option(name)
    bar = tab.page.get_by_test_id("lesson-bar")
    caption = tab.page.get_by_test_id("lesson-caption")
    counter = tab.page.get_by_test_id("lesson-counter")
    bar.wait_for()  # the lesson is fetched, then shown
    assert caption.inner_text() == lesson["steps"][0]["caption"]["en"]
    assert counter.inner_text() == "Step 1 of 3"
    assert tab.page.get_by_test_id("lesson-prev").is_disabled()
    wait_for_step(tab, name, 0)
    assert tab.js(CONFIG)["train"]["optimizer"] == "sgd"

    # The button, then the arrow key (the focus is still on the button: arrows work there).
    tab.page.get_by_test_id("lesson-next").click()
    wait_for_step(tab, name, 1)
    assert tab.js(CONFIG)["train"]["optimizer"] == "momentum"
    assert caption.inner_text() == lesson["steps"][1]["caption"]["en"]
    tab.page.keyboard.press("ArrowRight")
    wait_for_step(tab, name, 2)
    assert tab.js(CONFIG)["train"]["lr"] == 0.01
    assert counter.inner_text() == "Step 3 of 3"
    assert tab.page.get_by_test_id("lesson-next").is_disabled()
    tab.page.keyboard.press("ArrowRight")  # the last step: nothing further
    assert counter.inner_text() == "Step 3 of 3"
    tab.page.keyboard.press("ArrowLeft")
    wait_for_step(tab, name, 1)
    assert counter.inner_text() == "Step 2 of 3"

    # The address names the lesson and the step: opened again, it comes back there.
    assert "lesson=08-optimizers" in tab.page.url and "step=2" in tab.page.url
    tab.page.goto(tab.page.url)
    tab.wait(
        "() => document.querySelector('[data-testid=lesson-counter]')?.textContent"
        " === 'Step 2 of 3'"
    )
    wait_for_step(tab, name, 1)
    assert caption.inner_text() == lesson["steps"][1]["caption"]["en"]
    assert tab.errors == []


def test_a_lesson_step_that_plays_starts_training(tab: Tab) -> None:
    name = "03-linear-cannot"
    tab.open(f"?paused=1&lesson={name}&step=2")
    wait_for_step(tab, name, 1)
    assert tab.js(CONFIG)["data"]["dataset"] == "xor"
    tab.wait("() => window.spacefold.state.running")
    tab.page.get_by_test_id("lesson-close").click()
    assert tab.page.get_by_test_id("lesson-bar").is_hidden()
    assert "lesson=" not in tab.page.url
    assert tab.errors == []


def test_an_unknown_lesson_in_the_link_says_so(tab: Tab) -> None:
    tab.open("?paused=1&lesson=no-such-lesson")
    message = tab.page.get_by_test_id("message-error")
    message.wait_for()
    assert "no-such-lesson" in message.inner_text()
    assert tab.page.get_by_test_id("lesson-bar").is_hidden()


def test_classroom_labels_and_lesson_captions_switch_language(tab: Tab) -> None:
    name = "07-learning-rate"
    lesson = lesson_file(name)
    tab.open(f"?paused=1&lesson={name}&step=1")
    caption = tab.page.get_by_test_id("lesson-caption")
    tab.wait(
        "(text) => document.querySelector('[data-testid=lesson-caption]').textContent === text",
        lesson["steps"][0]["caption"]["en"],
    )
    save = tab.page.get_by_test_id("save-btn")
    assert save.inner_text() == "Save"
    assert tab.page.get_by_test_id("btn-share").inner_text() == "Copy the follow link"
    assert tab.page.get_by_test_id("btn-presenter").inner_text() == "Present"

    tab.page.locator("#btn-lang").click()
    assert caption.inner_text() == lesson["steps"][0]["caption"]["zh"]
    assert tab.page.get_by_test_id("lesson-counter").inner_text() == "第 1 步，共 3 步"  # noqa: RUF001
    assert tab.page.get_by_test_id("lesson-title").inner_text() == "课程 · 学习率过高"
    assert save.inner_text() == "保存"
    assert tab.page.get_by_test_id("btn-share").inner_text() == "复制跟随链接"
    assert tab.page.get_by_test_id("btn-presenter").inner_text() == "演示"
    picked = tab.page.get_by_test_id("lesson-pick").locator("option:checked").inner_text()
    assert picked == "学习率过高"
    tab.page.keyboard.press("?")
    assert tab.page.locator("#help-title").inner_text() == "键盘快捷键"
    assert "开始或暂停训练" in tab.page.get_by_test_id("help-keys").inner_text()

    tab.page.keyboard.press("Escape")
    tab.page.locator("#btn-lang").click()
    assert caption.inner_text() == lesson["steps"][0]["caption"]["en"]
    assert save.inner_text() == "Save"
    assert tab.errors == []


def test_space_plays_and_pauses_and_question_mark_lists_every_shortcut(tab: Tab) -> None:
    tab.open("?paused=1")
    tab.page.locator("h1").click()
    tab.page.keyboard.press("Space")
    tab.wait("() => window.spacefold.state.running")
    tab.page.keyboard.press("Space")
    tab.wait("() => !window.spacefold.state.running")
    tab.settle()

    step = tab.step()
    tab.page.keyboard.press("s")
    tab.wait(f"() => window.spacefold.lastHeader.step === {step + 1}")

    # Typing in a field is typing, not a shortcut.
    name = tab.page.get_by_test_id("save-name")
    name.click()
    name.press_sequentially("s ?r")
    assert name.input_value() == "s ?r"
    assert tab.js("window.spacefold.state.running") is False
    assert tab.page.get_by_test_id("help").is_hidden()
    tab.settle()
    assert tab.step() == step + 1

    tab.page.locator("h1").click()
    tab.page.keyboard.press("?")
    help_box = tab.page.get_by_test_id("help")
    assert help_box.is_visible()
    text = help_box.inner_text()
    for words in (
        "Play or pause",
        "One training step",
        "Reset",
        "lesson step",
        "Full screen",
        "Presenter mode",
        "Show or hide this list",
    ):
        assert words in text
    tab.page.keyboard.press("Escape")
    assert help_box.is_hidden()

    # r resets: a new generation of the network.
    generation = tab.js("window.spacefold.state.generation")
    tab.page.keyboard.press("r")
    tab.wait(f"() => window.spacefold.lastHeader.generation > {generation}")
    assert tab.errors == []


def test_presenter_mode_hides_the_controls_and_f_shows_a_view_full_screen(tab: Tab) -> None:
    tab.open("?paused=1")
    sidebar = tab.page.get_by_test_id("sidebar")
    assert sidebar.is_visible()
    tab.page.get_by_test_id("btn-presenter").click()
    assert sidebar.is_hidden()
    assert "presenter=1" in tab.page.url
    assert tab.page.get_by_test_id("btn-presenter").inner_text() == "Leave presenting"
    big = tab.js("parseFloat(getComputedStyle(document.querySelector('.card h2')).fontSize)")
    assert big >= 20
    tab.page.locator("h1").focus()  # hidden; the keys still work on the page
    tab.page.keyboard.press("p")
    assert sidebar.is_visible()

    # f: the view last clicked fills the screen; f again (or Esc) gives it back.
    tab.page.locator(".card-input h2").click()
    tab.page.keyboard.press("f")
    tab.wait("() => document.querySelector('.card-input').classList.contains('is-full')")
    box = tab.page.locator(".card-input").bounding_box()
    assert box is not None and box["width"] >= 1300 and box["height"] >= 900
    tab.page.keyboard.press("Escape")
    tab.wait("() => !document.querySelector('.card.is-full')")
    tab.page.locator(".card-stages [data-testid=card-full]").click()
    tab.wait("() => document.querySelector('.card-stages').classList.contains('is-full')")
    tab.page.locator(".card-stages [data-testid=card-full]").click()
    tab.wait("() => !document.querySelector('.card.is-full')")
    assert tab.errors == []


def test_hidden_sections_stay_hidden_after_a_reload(tab: Tab) -> None:
    tab.open("?paused=1")
    tab.page.get_by_test_id("group-sections").locator("summary").click()
    tab.page.get_by_test_id("show-data").uncheck()
    assert tab.page.get_by_test_id("group-data").is_hidden()
    assert tab.page.get_by_test_id("group-model").is_visible()
    tab.open("?paused=1")
    assert tab.page.get_by_test_id("group-data").is_hidden()
    assert not tab.page.get_by_test_id("show-data").is_checked()
    # A link's ?hide= wins over what this browser remembers.
    tab.open("?paused=1&hide=model")
    assert tab.page.get_by_test_id("group-data").is_visible()
    assert tab.page.get_by_test_id("group-model").is_hidden()
    assert tab.errors == []


@pytest.mark.parametrize("tab", ["zh-CN"], indirect=True)
def test_a_chinese_browser_gets_chinese_classroom_labels(tab: Tab) -> None:
    tab.open("?paused=1")
    assert tab.page.get_by_test_id("save-btn").inner_text() == "保存"
    assert tab.page.get_by_test_id("lesson-pick").locator("option").first.inner_text() == (
        "— 选择一节课 —"
    )
