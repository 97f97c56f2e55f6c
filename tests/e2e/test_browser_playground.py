"""Drawing data by hand on the input plane, and the points as CSV files."""

from __future__ import annotations

import csv
import io
from typing import Any

from .support import Tab

# The page's own fetch of the session's points (the server's view of the data).
POINTS_CSV = """async () => {
  const id = window.spacefold.state.session;
  const response = await fetch(`/api/sessions/${id}/data.csv`);
  return response.text();
}"""

# Where data coordinates (x, y) lie on the input plane's canvas, through the view's mapping.
TO_PIXELS = """([x, y]) => {
  const view = window.spacefold.views.input.plane.view;
  return [view.ox + view.s * x, view.oy - view.s * y, view.s];
}"""


def points(tab: Tab) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(str(tab.js(POINTS_CSV)))))
    return [
        {"x": float(r["x"]), "y": float(r["y"]), "label": float(r["label"]), "split": r["split"]}
        for r in rows
    ]


def count(tab: Tab) -> int:
    return int(tab.js("window.spacefold.lastHeader.n_train + window.spacefold.lastHeader.n_test"))


def wait_count(tab: Tab, n: int) -> None:
    tab.wait(
        f"() => {{ const h = window.spacefold.lastHeader;"
        f" return h.n_train + h.n_test === {n} && !window.spacefold.pending; }}"
    )


def click_at(tab: Tab, x: float, y: float, **options: Any) -> float:
    """Click the input plane at data coordinates (x, y); return the pixels per unit."""
    px, py, scale = tab.js(TO_PIXELS, [x, y])
    tab.page.locator("#plot-input").click(position={"x": px, "y": py}, **options)
    return float(scale)


def region_at(tab: Tab, x: float, y: float) -> int:
    """The input plane's predicted class in the cell nearest (x, y)."""
    return int(
        tab.js(
            """([x, y]) => {
      const arrays = window.spacefold.lastFrame.arrays;
      const xs = arrays.get('region/x'), ys = arrays.get('region/y');
      const near = (values, v) => values.reduce((best, c, i) =>
        Math.abs(c - v) < Math.abs(values[best] - v) ? i : best, 0);
      return arrays.get('region/label')[near(ys, y) * xs.length + near(xs, x)];
    }""",
            [x, y],
        )
    )


def test_clicks_add_and_remove_points_and_the_regions_follow(tab: Tab) -> None:
    tab.open("?paused=1&points=40&speed=50")
    tab.page.get_by_test_id("draw-clear").click()
    wait_count(tab, 0)
    assert points(tab) == []
    assert tab.js("window.spacefold.state.config.data.dataset") == "custom"

    # Class 1 is chosen: plain clicks on the left, shift-clicks (the other class) on the right.
    assert tab.page.get_by_test_id("draw-class-0").get_attribute("aria-pressed") == "true"
    left = [(-0.7, 0.5), (-0.6, -0.4), (-0.8, 0.0)]
    right = [(0.6, 0.3), (0.7, -0.5), (0.8, 0.0)]
    scale = 1.0
    for n, (x, y) in enumerate(left, start=1):
        scale = click_at(tab, x, y)
        wait_count(tab, n)
    for n, (x, y) in enumerate(right, start=len(left) + 1):
        click_at(tab, x, y, modifiers=["Shift"])
        wait_count(tab, n)
    drawn = points(tab)
    tolerance = 1.5 / scale  # a pixel and a half, in data units
    for (x, y), label in [*((p, 0) for p in left), *((p, 1) for p in right)]:
        assert any(
            abs(p["x"] - x) < tolerance
            and abs(p["y"] - y) < tolerance
            and p["label"] == label
            and p["split"] == "train"
            for p in drawn
        ), (x, y, drawn)

    # Trained on these points, the regions split left from right.
    before = tab.js("Array.from(window.spacefold.lastFrame.arrays.get('region/label'))")
    tab.page.locator("#btn-play").click()
    tab.wait("() => window.spacefold.lastHeader.step >= 150")
    tab.page.locator("#btn-pause").click()
    tab.settle()
    assert [region_at(tab, x, y) for x, y in left] == [0, 0, 0]
    assert [region_at(tab, x, y) for x, y in right] == [1, 1, 1]
    after = tab.js("Array.from(window.spacefold.lastFrame.arrays.get('region/label'))")
    assert after != before

    # The second class chosen in the picker: a plain click adds it.
    tab.page.get_by_test_id("draw-class-1").click()
    click_at(tab, 0.0, 0.8)
    wait_count(tab, 7)
    assert any(p["label"] == 1 and abs(p["y"] - 0.8) < tolerance for p in points(tab))

    # Right-click removes the nearest point, ctrl-click too.
    click_at(tab, 0.7, -0.5, button="right")
    wait_count(tab, 6)
    assert not any(abs(p["x"] - 0.7) < 0.05 and abs(p["y"] + 0.5) < 0.05 for p in points(tab))
    click_at(tab, -0.8, 0.0, modifiers=["Control"])
    wait_count(tab, 5)
    assert len(points(tab)) == 5
    assert tab.errors == []


def test_regression_data_cannot_be_drawn_on(tab: Tab) -> None:
    tab.open("?paused=1&dataset=plane&points=40")
    tab.wait("() => window.spacefold.lastHeader.task === 'regression'")
    assert tab.page.get_by_test_id("draw-hint").inner_text() == (
        "Drawing points needs a classification dataset."
    )
    assert tab.page.get_by_test_id("draw-classes").locator("button").count() == 0
    before = points(tab)
    click_at(tab, 0.2, 0.2)
    tab.page.wait_for_timeout(300)  # a point would have come back within this
    assert points(tab) == before
    # The output is drawn as a continuous heatmap under the points, coloured by value.
    assert tab.js("window.spacefold.lastFrame.arrays.has('region/value')")
    assert tab.painted("#plot-input") > 0.5
    assert tab.errors == []


def test_csv_export_then_import_round_trips_and_a_bad_file_changes_nothing(tab: Tab) -> None:
    tab.open("?paused=1&points=20&dataset=circles")
    original = points(tab)
    assert len(original) == 20
    with tab.page.expect_download() as download:
        tab.page.get_by_test_id("csv-export").click()
    exported = download.value.path().read_text(encoding="utf-8")
    assert exported == tab.js(POINTS_CSV)

    tab.page.get_by_test_id("draw-clear").click()
    wait_count(tab, 0)
    tab.page.locator("#csv-file").set_input_files(
        {"name": "mine.csv", "mimeType": "text/csv", "buffer": exported.encode()}
    )
    wait_count(tab, 20)
    assert points(tab) == original
    info = tab.page.get_by_test_id("message-info")
    assert "20 points" in info.inner_text()

    # A bad file: the server's reason in the message bar, the points as they were.
    bad = "x,y,label\n0.1,0.2,0\n0.3,oops,1\n"
    tab.page.locator("#csv-file").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    error = tab.page.get_by_test_id("message-error")
    error.wait_for()
    assert "bad.csv" in error.inner_text()
    assert "line 3" in error.inner_text()
    assert points(tab) == original
    assert count(tab) == 20
    # The browser logs the refused upload itself; nothing else went wrong.
    assert [e for e in tab.errors if "422" not in e] == []
