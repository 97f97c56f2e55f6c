"""What the chart tests share: the Plotly figures of the training charts as drawn, and the
frame headers each chart was given, recorded as the page hands them over."""

from __future__ import annotations

from typing import Any

from .support import Tab

# The traces of a Plotly figure as it stands: its data (x, y, ...) and, from Plotly's own full
# data, whether each trace is shown (true) or toggled off in the legend ("legendonly").
FIGURE = """(selector) => {
  const div = document.querySelector(selector);
  return (div.data ?? []).map((trace, i) => ({
    uid: trace.uid, name: trace.name, x: Array.from(trace.x ?? []), y: Array.from(trace.y ?? []),
    yaxis: trace.yaxis ?? 'y', dash: trace.line?.dash ?? 'solid',
    customdata: trace.customdata ? Array.from(trace.customdata) : null,
    visible: div._fullData?.[i]?.visible ?? true,
  }));
}"""

# From now on, keep every header that the view `name` (window.spacefold.views[name]) is given.
RECORD = """(name) => {
  const view = window.spacefold.views[name];
  const push = view.push.bind(view);
  const kept = (window.chartHeaders ??= {})[name] = [];
  view.push = (header) => {
    kept.push(header);
    push(header);
  };
}"""


def figure(tab: Tab, selector: str) -> list[dict[str, Any]]:
    """The traces of the figure in ``selector``, as drawn."""
    traces: list[dict[str, Any]] = tab.js(FIGURE, selector)
    return traces


def record(tab: Tab, view: str) -> None:
    """Start recording the headers that ``view`` is given."""
    tab.js(RECORD, view)


def recorded(tab: Tab, view: str) -> list[dict[str, Any]]:
    """The headers ``view`` was given since record(): the first at each step, as its chart
    keeps them."""
    headers: list[dict[str, Any]] = tab.js(f"window.chartHeaders[{view!r}]")
    first: dict[int, dict[str, Any]] = {}
    for header in headers:
        first.setdefault(header["step"], header)
    return list(first.values())


def wait_drawn(tab: Tab, charts: str, selector: str) -> None:
    """Scroll ``selector`` into sight and wait until every chart in ``charts`` (a JavaScript
    list of PlotChart objects) shows all it was given."""
    tab.page.locator(selector).scroll_into_view_if_needed()
    tab.wait(f"() => {charts}.every((c) => c.drawn === c.revision)")
