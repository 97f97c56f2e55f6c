// A Plotly line chart over training steps, the one every training chart is. Created once,
// then redrawn with Plotly.react a few times a second (the page throttles charts). It keeps what
// the user did to it (zoom, legend toggles) across redraws until its history starts anew (a new
// network), draws only while it can be seen, and says "no data yet" until there is some.

import "../strings/charts.js";
import { t } from "../i18n.js";
import { FONT, FRAME, MUTED } from "./palette.js";
import { loadPlotly } from "./plotly.js";

const CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
const GRID = "#eef1f4";

/** A line over the steps: x, y, and its style. Trace options may add to or override it. */
export function line({ uid, name, x, y, color, dash = "solid", width = 2, ...more }) {
  return {
    type: "scatter",
    mode: "lines",
    uid,
    name,
    x,
    y,
    line: { color, dash, width },
    connectgaps: false,
    ...more,
  };
}

/**
 * Of `charts`, the one that should be redrawn first: the stale one drawn longest ago (a chart
 * that just came into sight showing nothing, or an older network, goes first); null if none is.
 */
export function stalest(charts) {
  let first = null;
  for (const chart of charts) {
    if (chart.stale && (first === null || chart.drawnAt < first.drawnAt)) first = chart;
  }
  return first;
}

/**
 * Add the values at `step` to `history` (a StepHistory) and tell the `charts` drawn from it: a
 * new step changes them, a history begun anew restarts them, the last step again does nothing.
 */
export function chartStep(history, charts, step, values) {
  const outcome = history.push(step, values);
  for (const chart of charts) {
    if (outcome === "restarted") chart.restart();
    else if (outcome === "added") chart.changed();
  }
}

/** Forget `history` and start the `charts` drawn from it anew. */
export function clearCharts(history, charts) {
  history.clear();
  for (const chart of charts) chart.restart();
}

export class PlotChart {
  /**
   * @param {HTMLElement} div where the figure goes (sized by CSS)
   * @param {() => void} wake asks the page for a redraw (when Plotly has loaded, or the chart
   *   comes into sight with something new to show)
   * @param {() => Record<string, any>} figure what to draw now: {traces (see line()), layout: the axes
   *   ({xaxis, yaxis, yaxis2}: titled by the caller) and anything else, empty: nothing to draw
   *   yet, say so}
   */
  constructor(div, wake, figure) {
    this.div = div;
    this.wake = wake;
    this.figure = figure;
    this.revision = 0; // bumped whenever what the chart shows changes
    this.drawn = -1; // the revision last drawn
    this.drawnAt = 0; // when (performance.now()); 0: what it shows is not this history's
    this.session = 0; // user changes (zoom, toggles) are kept while this stays the same
    this.visible = true; // until the browser says otherwise
    this.width = 0; // of the element, as last laid out (0: hidden); read from no layout
    this.plotly = window.Plotly ?? null;
    if (!this.plotly) {
      loadPlotly().then(
        (plotly) => {
          this.plotly = plotly;
          this.wake();
        },
        () => {}, // the page goes on without charts
      );
    }
    new IntersectionObserver(
      (entries) => {
        this.visible = entries.at(-1).isIntersecting;
        if (this.stale) this.wake();
      },
      { rootMargin: "0px" },
    ).observe(div);
    new ResizeObserver((entries) => {
      const was = this.width;
      this.width = entries.at(-1).contentRect.width;
      if (this.width === 0 || this.width === was) return;
      if (this.drawn >= 0 && this.plotly) this.plotly.Plots.resize(div);
      else if (this.stale) this.wake();
    }).observe(div);
  }

  /** What the chart shows has changed. */
  changed() {
    this.revision++;
  }

  /** Its history started anew: forget the user's zoom and legend toggles too. */
  restart() {
    this.session++;
    this.revision++;
    this.drawnAt = 0;
  }

  /** Is there something new to draw, and can it be drawn now (Plotly here, chart in sight)? */
  get stale() {
    const seen = this.visible && this.width > 0;
    return this.drawn !== this.revision && this.plotly !== null && seen;
  }

  /** Draw it if it is stale; did it? */
  redraw() {
    if (!this.stale) return false;
    const { traces, layout, empty } = this.figure();
    this.draw(traces, layout, empty);
    return true;
  }

  /** The words changed: draw it again now (if it can be seen). */
  relabel() {
    this.changed();
    this.redraw();
  }

  /** Draw the figure over the page's look. */
  draw(traces, layout, empty) {
    this.drawn = this.revision;
    this.drawnAt = performance.now();
    const axis = (more) => ({
      gridcolor: GRID,
      linecolor: FRAME,
      zeroline: false,
      showline: true,
      mirror: true,
      automargin: true,
      ...more,
      title: { text: more?.title ?? "", font: { size: 11, color: more?.color ?? MUTED } },
      tickfont: { size: 10, color: more?.color ?? MUTED },
    });
    const full = {
      font: { family: FONT, size: 11, color: MUTED },
      margin: { l: 8, r: 8, t: 6, b: 4 },
      paper_bgcolor: "white",
      plot_bgcolor: "white",
      hovermode: "x unified",
      hoverlabel: { font: { family: FONT, size: 12 } },
      showlegend: !empty,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 11 } },
      uirevision: `session ${this.session}`,
      datarevision: this.revision, // the lines grow in place: tell Plotly they changed
      ...layout,
      xaxis: axis({
        title: t("chart.step"),
        unifiedhovertitle: { text: `${t("chart.step")} %{x}` }, // the hover's first line
        ...layout.xaxis,
        visible: !empty,
      }),
      yaxis: axis({ ...layout.yaxis, visible: !empty }),
      annotations: empty ? [noData()] : [],
    };
    if (layout.yaxis2 && !empty) {
      full.yaxis2 = axis({ overlaying: "y", side: "right", ...layout.yaxis2 });
    }
    this.plotly.react(this.div, empty ? [] : traces, full, CONFIG);
  }
}

/** "no data yet", in the middle of an empty chart. */
function noData() {
  const font = { size: 13, color: MUTED };
  const middle = { xref: "paper", yref: "paper", x: 0.5, y: 0.5 };
  return { text: t("chart.noData"), ...middle, showarrow: false, font };
}
