"""The network's shape from the page (feature chips, per-layer widths), the network diagram
(one heatmap per unit, edits of weights and biases), the per-layer charts, and the link."""

from __future__ import annotations

from typing import Any

from .charts import figure, record, recorded, wait_drawn
from .support import Tab

LAYERS = "window.spacefold.lastHeader.layers"
STATS = "window.spacefold.views.layerStats"

# The colour of a pixel of the diagram's canvas (CSS px; the tests run at a pixel ratio of 1).
PIXEL = """([x, y]) => {
  const canvas = document.querySelector('#plot-network');
  const ratio = canvas.width / canvas.clientWidth;
  const at = (v) => Math.round(v * ratio);
  const d = canvas.getContext('2d').getImageData(at(x), at(y), 1, 1).data;
  return [d[0], d[1], d[2]];
}"""

BLUE = (46, 117, 182)


def query(tab: Tab, key: str) -> Any:
    return tab.js(f"new URL(location.href).searchParams.get('{key}')")


def test_feature_chips_and_layer_widths_change_the_network_and_the_link(tab: Tab) -> None:
    tab.open("?paused=1")
    assert tab.js(f"{LAYERS}[0].shape") == [2, 2]
    chip = tab.page.get_by_test_id("feature-x1^2")
    assert chip.get_attribute("aria-pressed") == "false"
    chip.click()
    tab.wait(f"() => {LAYERS}[0].shape[1] === 3")
    assert chip.get_attribute("aria-pressed") == "true"
    assert tab.js("window.spacefold.lastHeader.stages.some((s) => s.kind === 'features')")
    assert query(tab, "features") == "x1,x2,x1^2"

    # Layer 2 one unit wider: 2, 3, 2.
    tab.page.get_by_test_id("layer-2-inc").click()
    tab.wait(f"() => {LAYERS}[1].shape[0] === 3")
    assert [layer["shape"] for layer in tab.js(LAYERS)] == [[2, 3], [3, 2], [2, 3], [2, 2]]
    assert query(tab, "widths") == "2,3,2"
    assert tab.page.get_by_test_id("layer-2-width").inner_text() == "3 units"

    # A layer more (a copy of the last), then two fewer.
    tab.page.get_by_test_id("layer-add").click()
    tab.wait(f"() => {LAYERS}.length === 5")
    assert query(tab, "widths") == "2,3,2,2"
    stages = tab.js("window.spacefold.stageCount")
    tab.page.get_by_test_id("layer-remove").click()
    tab.wait(f"() => {LAYERS}.length === 4")
    tab.page.get_by_test_id("layer-remove").click()
    tab.wait(f"() => {LAYERS}.length === 3")
    assert tab.js("window.spacefold.stageCount") == stages - 4
    assert [layer["shape"][0] for layer in tab.js(LAYERS)] == [2, 3, 2]

    # The simple depth control keeps the layers' own widths.
    tab.page.locator("#ctl-model-depth-inc").click()
    tab.wait(f"() => {LAYERS}.length === 4")
    assert [layer["shape"][0] for layer in tab.js(LAYERS)] == [2, 3, 3, 2]

    # The link reproduces it all.
    tab.page.goto(tab.page.url)
    tab.wait(
        "() => window.spacefold.frames > 0"
        " && window.spacefold.state.config.model.widths?.join() === '2,3,3'"
    )
    tab.wait(f"() => {LAYERS}.length === 4 && {LAYERS}[0].shape[1] === 3")
    model = tab.js("window.spacefold.state.config.model")
    assert model["features"] == ["x1", "x2", "x1^2"]
    assert model["widths"] == [2, 3, 3]
    assert tab.js(f"{LAYERS}[0].shape") == [2, 3]
    # The last feature cannot be switched off.
    tab.page.get_by_test_id("feature-x1").click()
    tab.page.get_by_test_id("feature-x1^2").click()
    tab.wait("() => window.spacefold.state.config.model.features.join() === 'x2'")
    assert tab.page.get_by_test_id("feature-x2").is_disabled()
    assert tab.errors == []


def test_learning_rate_presets_free_entry_and_view_options_travel_in_the_link(tab: Tab) -> None:
    tab.open("?paused=1")
    rates = tab.js("Array.from(document.querySelectorAll('#ctl-train-lr option'), (o) => +o.value)")
    assert rates[0] == 1e-5 and rates[-1] == 10 and 0.03 in rates
    tab.page.locator("#ctl-train-lr").select_option("0.00001")
    tab.wait("() => window.spacefold.state.config.train.lr === 0.00001")
    entry = tab.page.locator("#ctl-train-lr-entry")
    assert float(entry.input_value()) == 1e-5
    entry.fill("0.0042")
    entry.press("Enter")
    tab.wait("() => window.spacefold.state.config.train.lr === 0.0042")
    assert query(tab, "lr") == "0.0042"

    # Test points hidden and hard regions: the plane's scene follows, the link carries both.
    hollow = "window.spacefold.views.input.plane.scene.style.groups.some((g) => g.hollow)"
    assert tab.js(hollow) is True
    tab.page.get_by_test_id("opt-show-test").uncheck()
    assert tab.js(hollow) is False
    tab.page.get_by_test_id("opt-discretize").check()
    # One colour per class predicted somewhere, nothing in between.
    colours = """() => {
      const image = window.spacefold.views.input.plane.scene.regions.image;
      const d = image.getContext('2d').getImageData(0, 0, image.width, image.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      const labels = new Set(window.spacefold.lastFrame.arrays.get('region/label'));
      return [seen.size, labels.size];
    }"""
    shown, classes = tab.js(colours)
    assert shown == classes
    assert query(tab, "hidetest") == "1" and query(tab, "discrete") == "1"

    tab.page.goto(tab.page.url)
    tab.open(tab.page.url.removeprefix(tab.server.url))
    assert tab.js("window.spacefold.state.config.train.lr") == 0.0042
    assert float(tab.page.locator("#ctl-train-lr-entry").input_value()) == 0.0042
    assert not tab.page.get_by_test_id("opt-show-test").is_checked()
    assert tab.page.get_by_test_id("opt-discretize").is_checked()
    assert tab.js(hollow) is False
    shown, classes = tab.js(colours)
    assert shown == classes
    assert tab.errors == []


def unit_cells(tab: Tab, layer: int) -> dict[str, Any]:
    """Layer `layer`'s unit maps as the frame carries them: bytes, ranges, size."""
    return dict(
        tab.js(
            """(layer) => {
      const frame = window.spacefold.lastFrame;
      const maps = frame.arrays.get(`units/layer${layer}`);
      const shape = frame.shapes.get(`units/layer${layer}`);
      const range = frame.arrays.get(`units/layer${layer}/range`);
      return {bytes: Array.from(maps), range: Array.from(range), shape, step: frame.header.step};
    }""",
            layer,
        )
    )


def tile_pixel(tab: Tab, tile: dict[str, float], cells: int, index: int) -> list[int]:
    """The diagram's pixel at the centre of cell `index` of a unit's map (row i of a map is
    y from the bottom, so it is drawn from the tile's bottom up)."""
    i, j = divmod(index, cells)
    x = tile["x"] + (j + 0.5) * tile["size"] / cells
    y = tile["y"] + (cells - 1 - i + 0.5) * tile["size"] / cells
    return [int(v) for v in tab.js(PIXEL, [x, y])]


def test_network_diagram_draws_every_unit_and_edits_weights(tab: Tab) -> None:
    tab.open("?paused=1&width=3&depth=2")
    tab.page.get_by_test_id("network").scroll_into_view_if_needed()
    # In sight, the diagram asks for the units' maps; the link does not carry that.
    tab.wait("() => window.spacefold.lastFrame.arrays.has('units/layer2')")
    assert tab.js("window.spacefold.state.config.view.units") is True
    assert query(tab, "units") is None
    tab.wait("() => window.spacefold.views.network.drawn?.columns.join() === '2,3,3,2'")
    drawn = tab.js("window.spacefold.views.network.drawn")
    assert drawn["edges"] == 2 * 3 + 3 * 3 + 3 * 2
    assert drawn["weighted"] is True

    # Each hidden unit's tile shows the frame's values: white where the unit is 0, full blue
    # where it is largest.
    checked = 0
    for layer in (1, 2):
        maps = unit_cells(tab, layer)
        units, cells, _ = maps["shape"]
        assert units == 3
        for unit in range(units):
            low, high = maps["range"][2 * unit : 2 * unit + 2]
            if high - low < 1e-6 or unit in drawn["dead"].get(str(layer), []):
                continue
            block = maps["bytes"][unit * cells * cells : (unit + 1) * cells * cells]
            tile = drawn["tiles"][layer][unit]

            # Cells off the tile's border (which is drawn over the map).
            inner = [
                n
                for n in range(cells * cells)
                if 0 < n // cells < cells - 1 and 0 < n % cells < cells - 1
            ]
            top = max(inner, key=lambda n: block[n])
            if block[top] == 255:
                colour = tile_pixel(tab, tile, cells, top)
                assert all(abs(a - b) <= 3 for a, b in zip(colour, BLUE, strict=True)), colour
                checked += 1
            zeros = [n for n in inner if block[n] == 0]
            if low == 0.0 and zeros:
                assert tile_pixel(tab, tile, cells, zeros[0]) == [255, 255, 255]
                checked += 1
    assert checked >= 3

    # Hover an edge: its weight. Click it: a number entry; Enter sets the weight.
    def edge_point(layer: int, row: int, col: int) -> tuple[float, float]:
        tiles = tab.js("window.spacefold.views.network.drawn.tiles")
        size = tiles[0][0]["size"]
        a = tiles[layer - 1][col]
        b = tiles[layer][row]
        ax, ay = a["x"] + size, a["y"] + size / 2
        bx, by = b["x"], b["y"] + size / 2
        return bx + 0.3 * (ax - bx), by + 0.3 * (ay - by)

    canvas = tab.page.locator("#plot-network")
    x, y = edge_point(2, 0, 1)
    weight = tab.js(f"{LAYERS}[1].weight[0][1]")
    canvas.hover(position={"x": x, "y": y})
    tip = tab.page.get_by_test_id("network-tip")
    assert tip.is_visible()
    assert tip.inner_text().startswith("Weight from unit 2 to layer 2 unit 1:")
    assert abs(float(tip.inner_text().rsplit(":", 1)[1]) - weight) < 1e-3 * max(1, abs(weight))
    canvas.click(position={"x": x, "y": y})
    editor = tab.page.get_by_test_id("network-editor")
    assert editor.is_visible()
    editor.fill("500")  # out of range: refused in place, nothing sent
    editor.press("Enter")
    assert editor.is_visible() and "invalid" in (editor.get_attribute("class") or "")
    assert editor.get_attribute("title") == "Enter a number from \u2212100 to 100."  # max_weight
    editor.fill("1.25")
    editor.press("Enter")
    tab.wait(f"() => {LAYERS}[1].weight[0][1] === 1.25")
    assert editor.is_hidden()

    # A unit's bias square: the bias.
    tiles = tab.js("window.spacefold.views.network.drawn.tiles")
    unit = tiles[1][2]
    canvas.click(position={"x": unit["x"] - 6, "y": unit["y"] + unit["size"] - 4})
    editor.fill("-0.5")
    editor.press("Enter")
    tab.wait(f"() => {LAYERS}[0].bias[2] === -0.5")

    # Folded away, the diagram stops asking for the maps.
    tab.page.locator("#network > summary").click()
    tab.wait("() => window.spacefold.state.config.view.units === false")
    assert tab.errors == []


def test_layer_charts_follow_training(tab: Tab) -> None:
    tab.open("?paused=1&speed=10")
    record(tab, "layerStats")
    tab.page.locator("#btn-play").click()
    tab.wait("() => window.chartHeaders.layerStats.filter((h) => h.layer_stats).length >= 4")
    tab.page.locator("#btn-pause").click()
    tab.settle()
    charts = "[stats.ratioChart, stats.gradChart]".replace("stats", STATS)
    wait_drawn(tab, charts, "#plot-grad")
    ratio, grad = figure(tab, "#plot-ratio"), figure(tab, "#plot-grad")
    names = ["layer 1", "layer 2", "layer 3", "output"]  # one line per Linear map
    assert [t["name"] for t in ratio] == [*names, "healthy ≈ 10⁻³"]
    assert [t["name"] for t in grad] == names
    healthy = ratio.pop()
    assert healthy["y"] == [1e-3, 1e-3] and healthy["dash"] == "dash"
    x = grad[0]["x"]
    assert healthy["x"] == [x[0], x[-1]] and x[-1] == tab.step()
    # (A frame before the first update, at step 0, has no layer_stats: nothing to chart.)
    headers = [h for h in recorded(tab, "layerStats") if h["layer_stats"] is not None]
    assert len(headers) >= 4
    for header in headers:  # every frame's numbers, at its step, on a log scale
        i = x.index(header["step"])
        stats = header["layer_stats"]
        assert [t["y"][i] for t in ratio] == stats["update_ratio"]
        assert [t["y"][i] for t in grad] == stats["grad_norm"]
    for div in ("plot-ratio", "plot-grad"):
        assert tab.js(f"document.getElementById('{div}')._fullLayout.yaxis.type") == "log"
    assert tab.errors == []
