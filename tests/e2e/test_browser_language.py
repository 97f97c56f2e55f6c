"""Every label in English and Chinese, switchable live."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .support import Tab

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"

STAGE_TITLES = (
    "Array.from(document.querySelectorAll('[data-testid=stage-panel] .stage-title'),"
    " (title) => title.textContent)"
)


def test_language_toggle_switches_labels_to_chinese(tab: Tab) -> None:
    tab.open("?paused=1")
    play = tab.page.locator("#btn-play")
    assert play.inner_text() == "Play"
    assert any("input" in title for title in tab.js(STAGE_TITLES))

    tab.page.locator("#btn-lang").click()
    assert play.inner_text() == "开始"
    assert tab.page.locator(".card-input h2").inner_text() == "输入平面 · 决策区域"
    assert tab.page.locator("label[for=ctl-model-width]").inner_text() == "隐藏层宽度"
    assert tab.page.locator("#ctl-data-dataset option[value=spiral]").inner_text() == "螺旋"
    titles = tab.js(STAGE_TITLES)
    assert any("输入" in title for title in titles)
    assert any("仿射 1" in title for title in titles)
    assert tab.js("document.documentElement.lang") == "zh-CN"
    # The close-up, the morph and the fold chart too.
    assert tab.page.get_by_test_id("morph-play").inner_text() == "▶ 播放"
    assert tab.page.get_by_test_id("morph-caption").inner_text().startswith("第 6 步")
    assert tab.page.get_by_test_id("focus-title").inner_text() == "折叠 3 · ReLU"
    assert tab.page.locator(".dead-block h3").inner_text() == "每层折叠合并的点"
    assert tab.page.get_by_test_id("lock-axes").locator("xpath=..").inner_text() == "锁定坐标轴"

    tab.page.locator("#btn-lang").click()
    assert play.inner_text() == "Play"
    assert any("affine 1" in title for title in tab.js(STAGE_TITLES))
    assert tab.errors == []


@pytest.mark.parametrize("tab", ["zh-CN"], indirect=True)
def test_a_chinese_browser_starts_in_chinese(tab: Tab) -> None:
    tab.open("?paused=1")
    assert tab.page.locator("#btn-play").inner_text() == "开始"
    assert tab.page.locator("#status-text").inner_text() == "已暂停"
    assert tab.page.locator("#btn-lang").inner_text() == "English"


def test_every_string_is_in_both_languages(tab: Tab) -> None:
    """Every key (in i18n.js or added by a view's own module) has an English and a Chinese
    text, and each key the page's code names literally (t("...")) is one of them."""
    tab.open("?paused=1")
    keys = tab.js("window.spacefold.strings()")
    en_keys, zh_keys = set(keys["en"]), set(keys["zh"])
    assert en_keys == zh_keys, (en_keys - zh_keys, zh_keys - en_keys)
    used = set()
    for path in [*FRONTEND.rglob("*.js"), FRONTEND / "index.html"]:
        text = path.read_text()
        used |= set(re.findall(r'\bt\("([\w.]+)"', text))
        used |= set(re.findall(r'data-i18n(?:-title)?="([\w.]+)"', text))
    assert used - en_keys == set()
    assert tab.errors == []
