"""A card's PNG holds what the card shows: its title, its legend and numbers, its canvases and
any Plotly chart in it, each where it stands on the page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .support import Tab

BOX = """(selector) => {
  const card = document.querySelector(selector).closest('.card');
  const c = card.getBoundingClientRect();
  const r = document.querySelector(selector).getBoundingClientRect();
  return {card: [c.width, c.height], at: [r.left - c.left, r.top - c.top, r.width, r.height]};
}"""


def exported(tab: Tab, card: str) -> np.ndarray:
    """The PNG the card's own button downloads, as RGB pixels."""
    with tab.page.expect_download() as info:
        tab.page.locator(f"{card} [data-testid=card-png]").click()
    path = info.value.path()
    assert path is not None
    with Image.open(io.BytesIO(Path(path).read_bytes())) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB")).astype(int)


def band(pixels: np.ndarray, box: dict[str, Any]) -> np.ndarray:
    """The pixels of the element ``box['at']`` (page px) in the card's picture."""
    scale = pixels.shape[1] / box["card"][0]
    x, y, w, h = (round(v * scale) for v in box["at"])
    return pixels[y : y + h, x : x + w]


def ink(region: np.ndarray) -> int:
    """Pixels clearly darker than the card's white background: drawn text or lines."""
    return int((region.sum(axis=2) < 3 * 160).sum())


def test_the_png_of_a_card_holds_its_title_legend_numbers_and_plot(tab: Tab) -> None:
    tab.open("?paused=1&points=100")
    tab.settle()
    pixels = exported(tab, ".card-metrics")
    box = tab.js(BOX, ".card-metrics h2")
    assert abs(pixels.shape[1] / pixels.shape[0] - box["card"][0] / box["card"][1]) < 0.02
    title = band(pixels, box)
    assert ink(title) > 40  # "Progress", drawn where the page shows it
    assert ink(band(pixels, tab.js(BOX, "#metric-train-loss"))) > 10  # a number of the table

    pixels = exported(tab, ".card-input")
    assert ink(band(pixels, tab.js(BOX, ".card-input h2"))) > 40
    assert ink(band(pixels, tab.js(BOX, "#legend"))) > 20
    plot = band(pixels, tab.js(BOX, "#plot-input"))
    assert len(np.unique(plot.reshape(-1, 3), axis=0)) > 50  # regions and points, not blank
    assert tab.errors == []


def test_a_plotly_chart_in_a_card_is_in_its_png(tab: Tab) -> None:
    tab.open("?paused=1&points=100")
    tab.js("""async () => {
      if (!window.Plotly) {
        const script = document.createElement('script');
        script.src = '/vendor/plotly.min.js';
        await new Promise((done) => { script.onload = done; document.head.append(script); });
      }
      const div = document.createElement('div');
      div.id = 'png-probe-chart';
      div.style.height = '160px';
      document.querySelector('.card-metrics').append(div);
      await window.Plotly.newPlot(div, [{x: [0, 1, 2], y: [2, 0, 1], type: 'bar',
                                  marker: {color: 'rgb(200, 30, 30)'}}],
                           {margin: {l: 20, r: 10, t: 10, b: 20}, showlegend: false},
                           {staticPlot: true});
    }""")
    pixels = exported(tab, ".card-metrics")
    chart = band(pixels, tab.js(BOX, "#png-probe-chart"))
    red = (chart[..., 0] > 170) & (chart[..., 1] < 80) & (chart[..., 2] < 80)
    assert red.sum() > 200  # the chart's bars, painted from Plotly.toImage
    assert tab.errors == []
