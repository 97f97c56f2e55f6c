"""Every label in English and Chinese, switchable live."""

from __future__ import annotations

import pytest

from .support import Tab

STAGE_TITLES = "document.getElementById('plot-stages').layout.annotations.map((a) => a.text)"


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
