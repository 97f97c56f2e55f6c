"""Frames keep coming while training and the plots change; pause stops them; step takes one;
play resumes; reset starts again."""

from __future__ import annotations

from .support import Tab

# The points of one stage as its panel in the strip drew them.
STAGE_POINTS_X = "(p) => Array.from(window.spacefold.views.stages.panels[p].drawn.x.slice(0, 40))"
# The input plane's decision regions are an image drawn behind the points: its pixels' sum.
REGIONS = """() => {
  const image = window.spacefold.views.input.plane.scene.regions.image;
  const data = image.getContext('2d').getImageData(0, 0, image.width, image.height).data;
  return data.reduce((a, b) => a + b, 0);
}"""


def test_plots_change_while_training(tab: Tab) -> None:
    tab.open(frames=2)
    last = tab.js("window.spacefold.stageCount") - 1
    before_step = tab.step()
    before, before_region = tab.js(STAGE_POINTS_X, last), tab.js(REGIONS)
    tab.wait_more_frames(3)
    tab.wait(f"() => window.spacefold.lastHeader.step > {before_step}")
    after, after_region = tab.js(STAGE_POINTS_X, last), tab.js(REGIONS)
    assert len(before) == len(after) > 0
    assert before != after, "the output stage's points did not move while training"
    assert before_region != after_region, "the decision regions did not change while training"


def test_pause_step_play_and_reset(tab: Tab) -> None:
    tab.open(frames=2)
    tab.page.locator("#btn-pause").click()
    tab.wait("() => !window.spacefold.state.running")
    assert "paused=1" in tab.page.url
    # Frames already on their way may still land and be drawn; the last one shows the step that
    # the server reported on pausing. Once it is drawn, nothing moves.
    tab.wait(
        "() => !window.spacefold.state.running && !window.spacefold.pending"
        " && window.spacefold.lastHeader.step === window.spacefold.state.step"
    )
    frames, step = tab.frames(), tab.step()
    tab.page.wait_for_timeout(700)
    assert tab.step() == step, "training went on after pause"
    assert tab.frames() == frames, "frames kept coming after pause"
    assert tab.page.locator("#btn-play").is_enabled()

    tab.page.locator("#btn-step").click()
    tab.wait(f"() => window.spacefold.lastHeader.step === {step + 1}")
    assert tab.frames() > frames

    # The space bar plays (when no control has the focus).
    tab.page.locator("h1").click()
    tab.page.keyboard.press("Space")
    tab.wait(f"() => window.spacefold.lastHeader.step > {step + 1}")
    assert tab.js("window.spacefold.state.running") is True

    # Reset: new weights (a new generation of the network), and training goes on.
    generation = tab.js("window.spacefold.state.generation")
    tab.page.locator("#btn-reset").click()
    tab.wait(f"() => window.spacefold.lastHeader.generation > {generation}")
    assert tab.js("window.spacefold.state.running") is True
    assert tab.errors == []


def test_divergence_is_shown_with_a_one_click_reset(tab: Tab) -> None:
    tab.open()
    tab.wait("() => window.spacefold.lastHeader.step >= 20")
    # What the server sends when the loss turns NaN (it has paused training by then).
    tab.page.locator("#btn-pause").click()
    tab.wait("() => !window.spacefold.state.running")
    tab.js("window.spacefold.dispatch({type: 'diverged', message: 'the loss is NaN', step: 20})")
    bar = tab.page.get_by_test_id("message-warn")
    assert "diverged at step 20" in bar.inner_text()
    generation = tab.js("window.spacefold.state.generation")
    bar.locator("button.action").click()
    assert bar.count() == 0
    # Reset and play: a new network trains from the beginning.
    tab.wait(
        f"() => window.spacefold.state.running"
        f" && window.spacefold.lastHeader.generation > {generation}"
    )
    assert tab.errors == []
