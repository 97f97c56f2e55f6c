"""The convolution mode in the page: it opens from the link, trains live, draws every feature
map from the frame's own numbers, switches with the fold mode and back without a reload, and
refuses a bad layer value with a message while training goes on."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from .support import Tab

CONV = "window.spacefold.conv"

# For one map canvas: what it says it drew, what the frame holds for that channel, and a few of
# its pixels beside the colours the frame's values should have.
MAP_CHECK = """([stage, channel]) => {
  const conv = window.spacefold.conv;
  const canvas = document.querySelector(
    `[data-testid=conv-map][data-stage="${stage}"][data-channel="${channel}"]`);
  const { arrays, shapes } = conv.lastFrame;
  const values = arrays.get(`stage/${stage}`);
  const [, ...spatial] = shapes.get(`stage/${stage}`);
  const per = spatial.reduce((a, b) => a * b, 1);
  const mine = Array.from(values.slice(channel * per, (channel + 1) * per));
  const scale = Number(canvas.dataset.scale);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const wrong = [];
  for (let i = 0; i < per; i += Math.max(1, Math.floor(per / 17))) {
    const want = conv.colorOf(mine[i], scale);
    const got = [pixels[4 * i], pixels[4 * i + 1], pixels[4 * i + 2]];
    if (want.some((v, k) => Math.abs(v - got[k]) > 1)) wrong.push({ i, want, got });
  }
  return {
    drawnMin: Number(canvas.dataset.min), drawnMax: Number(canvas.dataset.max),
    min: Math.min(...mine), max: Math.max(...mine),
    scale, stageScale: conv.absMax(values), size: [canvas.width, canvas.height], spatial,
    wrong, sum: pixels.reduce((a, b) => a + b, 0),
  };
}"""


# Every map canvas's pixel sum, in page order.
MAP_SUMS = """() => Array.from(document.querySelectorAll('[data-testid=conv-map]'),
  (c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data
    .reduce((a, b) => a + b, 0))"""


def open_conv(tab: Tab, query: str = "&paused=1") -> None:
    tab.page.goto(f"{tab.server.url}?mode=conv{query}")
    tab.wait(f"() => ({CONV}?.frames ?? 0) >= 1 && {CONV}.state.connected")


def conv_step(tab: Tab) -> int:
    return int(tab.js(f"{CONV}.lastFrame.header.step"))


def check_map(tab: Tab, stage: int, channel: int) -> dict[str, Any]:
    result: dict[str, Any] = tab.js(MAP_CHECK, [stage, channel])
    return result


def test_conv_mode_opens_trains_and_draws_the_frames_numbers(tab: Tab) -> None:
    open_conv(tab)
    assert tab.page.get_by_test_id("conv").is_visible()
    assert not tab.page.get_by_test_id("first-screen").is_visible()
    assert tab.page.get_by_test_id("btn-mode-conv").get_attribute("aria-pressed") == "true"
    kinds = tab.js(f"{CONV}.lastFrame.header.stages.map((s) => s.kind)")
    conv_at = kinds.index("conv")
    before = check_map(tab, conv_at, 0)
    start = conv_step(tab)

    tab.page.get_by_test_id("conv-play").click()
    tab.wait(f"() => {CONV}.lastFrame.header.step >= {start + 6} && {CONV}.frames >= 3")
    assert "paused" not in tab.page.url

    after = check_map(tab, conv_at, 0)
    assert after["size"] == [after["spatial"][-1], after["spatial"][0]]
    assert after["drawnMin"] == after["min"] and after["drawnMax"] == after["max"]
    assert after["scale"] == after["stageScale"]
    assert after["wrong"] == [], "the map's pixels are not the colours of the frame's values"
    assert after["sum"] != before["sum"], "the conv map did not change while training"
    # The live numbers: the step shown is the frame's, and both parameter counts are there.
    shown = tab.page.locator("[data-testid=conv-numbers] [data-metric=step]").inner_text()
    assert int(shown) >= start + 6
    shared = tab.page.locator("[data-metric=shared]").inner_text().replace(" ", "")
    unshared = tab.page.locator("[data-metric=unshared]").inner_text().replace(" ", "")
    assert 0 < int(shared) < int(unshared)
    assert tab.errors == []


def test_output_size_formula_follows_the_layer(tab: Tab) -> None:
    open_conv(tab)
    tab.page.locator("#conv-layer-0-padding").select_option("valid")
    tab.wait(f"() => {CONV}.lastFrame.shapes.get('stage/1')[1] === 14")
    formula = tab.page.get_by_test_id("conv-formula").first.inner_text()
    minus = "\N{MINUS SIGN}"
    assert formula == f"(16 + 2·0 {minus} 1·2 {minus} 1)/1 + 1 = 14"
    assert check_map(tab, 1, 0)["wrong"] == []


def test_switch_to_fold_and_back(tab: Tab) -> None:
    open_conv(tab)
    tab.page.get_by_test_id("btn-mode-fold").click()
    assert tab.page.get_by_test_id("first-screen").is_visible()
    assert not tab.page.get_by_test_id("conv").is_visible()
    assert "mode=conv" not in tab.page.url
    # The fold mode was waiting; shown, it runs as a fresh fold page does.
    tab.wait("() => window.spacefold.frames >= 1 && window.spacefold.state.running")
    frames = tab.frames()
    tab.wait_more_frames(2)
    assert tab.frames() > frames
    tab.page.get_by_test_id("btn-mode-conv").click()
    assert tab.page.get_by_test_id("conv").is_visible()
    assert "mode=conv" in tab.page.url
    tab.wait("() => !window.spacefold.state.running")
    assert tab.errors == []


def test_fold_page_switches_to_conv_and_starts_it(tab: Tab) -> None:
    tab.open(frames=1)
    assert tab.js(f"{CONV}.frames") == 0
    tab.page.get_by_test_id("btn-mode-conv").click()
    tab.wait(f"() => {CONV}.frames >= 2 && {CONV}.state.running")
    tab.wait("() => !window.spacefold.state.running")  # the fold session waits meanwhile
    assert "mode=conv" in tab.page.url


def test_a_bad_layer_value_is_refused_and_training_goes_on(tab: Tab) -> None:
    open_conv(tab, "")
    tab.wait(f"() => {CONV}.state.running && {CONV}.lastFrame.header.step > 0")
    box = tab.page.locator("#conv-layer-0-channels")
    box.fill("99")
    box.press("Enter")
    error = tab.page.get_by_test_id("message-error")
    error.wait_for()
    assert "channels" in error.inner_text()
    assert tab.js(f"{CONV}.state.config.model.layers[0].channels") == 4
    tab.wait("() => document.querySelector('#conv-layer-0-channels').value === '4'")
    step = conv_step(tab)
    tab.wait(f"() => {CONV}.lastFrame.header.step > {step + 4}")
    assert tab.js(f"{CONV}.state.running") is True


def test_the_link_keeps_the_config(tab: Tab) -> None:
    open_conv(tab)
    tab.page.locator("#conv-model-activation").select_option("tanh")
    tab.wait(f"() => {CONV}.state.config.model.activation === 'tanh'")
    tab.wait("() => location.search.includes('tanh')")
    tab.page.reload()
    tab.wait(
        f"() => ({CONV}?.frames ?? 0) >= 1 && {CONV}.state.config?.model.activation === 'tanh'"
    )


def test_shift_by_key_moves_the_maps_and_reports_the_errors(tab: Tab) -> None:
    open_conv(tab, '&conv={"data":{"kind":"motifs"}}&paused=1')
    tab.wait(f"() => {CONV}.lastFrame.shapes.get('stage/0').length === 2")
    unmoved = tab.js(f"Array.from({CONV}.lastFrame.arrays.get('stage/1').slice(0, 48))")
    tab.page.keyboard.press("ArrowRight")
    tab.page.keyboard.press("ArrowRight")
    tab.wait(f"() => {CONV}.lastFrame.header.shift?.by?.[0] === 2")
    moved = tab.js(f"Array.from({CONV}.lastFrame.arrays.get('stage/1').slice(0, 48))")
    # Away from the borders the first conv map is the unmoved one, two samples on.
    assert all(abs(moved[i + 2] - unmoved[i]) < 1e-5 for i in range(3, 40))
    text = tab.page.get_by_test_id("conv-shift-errors").inner_text()
    assert "maps move with the input" in text
    assert "pooled output unchanged" in tab.page.get_by_test_id("conv-invariance").inner_text()
    tab.page.get_by_test_id("conv-shift-centre").click()
    tab.wait(f"() => {CONV}.lastFrame.header.shift === null")


def test_draw_an_input_and_every_map_changes(tab: Tab) -> None:
    open_conv(tab)

    def sums() -> list[int]:
        return list(tab.js(MAP_SUMS))

    before = sums()
    tab.page.get_by_test_id("conv-draw").check()
    canvas = tab.page.get_by_test_id("conv-input")
    box = canvas.bounding_box()
    assert box is not None
    tab.page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    tab.page.mouse.down()
    for k in range(12):
        tab.page.mouse.move(
            box["x"] + box["width"] * (0.3 + 0.04 * k), box["y"] + box["height"] * 0.5
        )
    tab.page.mouse.up()
    tab.wait(f"() => {CONV}.lastFrame.header.example.drawn === true")
    tab.wait(f"() => {CONV}.lastFrame.header.example.label === null")
    after = sums()
    assert len(before) == len(after)
    assert all(a != b for a, b in zip(before, after, strict=True)), "a map did not change"
    tab.page.get_by_test_id("conv-back").click()
    tab.wait(f"() => {CONV}.lastFrame.header.example.drawn === false")


def test_edit_a_kernel_by_hand(tab: Tab) -> None:
    open_conv(tab)
    tab.page.locator("[data-testid=conv-kernel][data-layer='0'][data-out='1']").first.click()
    editor = tab.page.get_by_test_id("kernel-editor")
    assert editor.is_visible()
    tab.page.get_by_test_id("kernel-classic-edge").click()
    tab.page.get_by_test_id("kernel-bias").fill("0.5")
    tab.page.get_by_test_id("kernel-apply").click()
    tab.wait(f"() => Math.abs({CONV}.lastFrame.arrays.get('bias/0')[1] - 0.5) < 1e-6")
    weights = tab.js(f"Array.from({CONV}.lastFrame.arrays.get('kernel/0').slice(9, 18))")
    assert weights == [-1, 0, 1, -2, 0, 2, -1, 0, 1]
    # A 5-wide kernel has no classic kernel: the buttons say why.
    tab.page.locator("#conv-layer-0-kernel").fill("5")
    tab.page.locator("#conv-layer-0-kernel").press("Enter")
    tab.wait(f"() => {CONV}.lastFrame.shapes.get('kernel/0')[2] === 5")
    tab.page.locator("[data-testid=conv-kernel][data-layer='0']").first.click()
    button = tab.page.get_by_test_id("kernel-classic-edge")
    assert button.is_disabled()
    assert "3 wide" in (button.get_attribute("title") or "")


# For every compare canvas: what it says it drew, and the min and max of the frame's numbers for
# its sample and channel; with the row count of every stage and each sample's label text.
COMPARE_CHECK = """() => {
  const conv = window.spacefold.conv;
  const { header, arrays, shapes } = conv.lastFrame;
  const out = { stages: [], maps: [], wrong: [] };
  header.stages.forEach((stage, k) => {
    if (stage.field === undefined) return;
    const node = document.querySelector(`[data-testid=conv-compare-stage][data-stage="${k}"]`);
    const rows = node ? node.querySelectorAll('[data-testid=conv-compare-row]') : [];
    out.stages.push({ k, rows: rows.length, labels: Array.from(rows, (r) => r.innerText.trim()) });
    const values = arrays.get(`compare/${k}`);
    const [count, channels, ...spatial] = shapes.get(`compare/${k}`);
    const per = spatial.reduce((a, b) => a * b, 1);
    const scale = conv.absMax(values);
    for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) {
      const canvas = node.querySelector(
        `[data-testid=conv-compare-map][data-sample="${i}"][data-channel="${c}"]`);
      const mine = Array.from(values.slice((i * channels + c) * per, (i * channels + c + 1) * per));
      out.maps.push({
        k, i, c, drawnMin: Number(canvas.dataset.min), drawnMax: Number(canvas.dataset.max),
        min: Math.min(...mine), max: Math.max(...mine), scale: Number(canvas.dataset.scale),
        stageScale: scale,
      });
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let j = 0; j < per; j += Math.max(1, Math.floor(per / 7))) {
        const want = conv.colorOf(mine[j], scale);
        const got = [pixels[4 * j], pixels[4 * j + 1], pixels[4 * j + 2]];
        if (want.some((v, n) => Math.abs(v - got[n]) > 1)) out.wrong.push({ k, i, c, j });
      }
    }
  });
  return out;
}"""


@pytest.mark.parametrize("data", ["glyphs", "motifs"])
def test_compare_shows_four_samples_maps_per_stage_from_the_frame(tab: Tab, data: str) -> None:
    open_conv(tab, f'&conv={{"data":{{"kind":"{data}"}}}}&paused=1')
    tab.wait(f"() => {CONV}.lastFrame.header.classes.length === 2")
    assert not tab.page.get_by_test_id("conv-compare-block").is_visible()
    assert tab.js(f"{CONV}.lastFrame.header.compare") is None
    box = tab.page.get_by_test_id("conv-compare")
    assert box.is_visible() and not box.is_checked()
    box.check()
    tab.wait(f"() => {CONV}.lastFrame.header.compare !== null && {CONV}.state.config.view.compare")
    tab.wait("() => !document.querySelector('[data-testid=conv-compare-block]').hidden")
    assert '"compare":true' in unquote(tab.page.url)
    got = tab.js(COMPARE_CHECK)
    header = tab.js(f"{CONV}.lastFrame.header")
    spatial = [k for k, s in enumerate(header["stages"]) if "field" in s]
    assert [s["k"] for s in got["stages"]] == spatial and len(spatial) >= 5
    assert all(s["rows"] == 4 for s in got["stages"])
    classes, compare = header["classes"], header["compare"]
    pairs = zip(compare["labels"], compare["predicted"], strict=True)
    texts = [f"{classes[a]} → {classes[b]}" for a, b in pairs]
    for stage in got["stages"]:
        assert [label.rsplit(" ", 1)[0] for label in stage["labels"]] == texts
    assert len(got["maps"]) == 4 * sum(
        tab.js(f"{CONV}.lastFrame.shapes.get('compare/{k}')[1]") for k in spatial
    )
    for m in got["maps"]:
        assert (m["drawnMin"], m["drawnMax"]) == (m["min"], m["max"]), m
        assert m["scale"] == m["stageScale"], m
    assert got["wrong"] == [], "a compare map's pixels are not the colours of the frame's values"
    # Off again: the block goes, and the frames stop carrying the comparison.
    box.uncheck()
    tab.wait(f"() => {CONV}.lastFrame.header.compare === null")
    tab.wait("() => document.querySelector('[data-testid=conv-compare-block]').hidden")
    assert not any(
        name.startswith("compare/")
        for name in tab.js(f"Array.from({CONV}.lastFrame.arrays.keys())")
    )
    assert tab.errors == []
