// Wiring: load the schema, build the controls, connect, apply the link's experiment, start
// training, and draw the latest frame once per animation frame (with the morph, if it plays).

import { followTarget } from "./classroom/follow.js";
import { LOST_TAG, setupClassroom } from "./classroom/index.js";
import { Controls } from "./controls.js";
import { foldQuery, setupModes } from "./conv/mode.js";
import { decodeFrame } from "./frame.js";
import { problemOf } from "./http.js";
import { setupLayout } from "./layout.js";
import { setupPlayground } from "./playground.js";
import { allKeys, getLanguage, initialLanguage, onLanguageChange, setLanguage, t } from "./i18n.js";
import { Socket, socketUrl } from "./socket.js";
import { change, difference, merge, readQuery, state, writeQuery } from "./state.js";
import { FocusView } from "./views/focus.js";
import { FoldsView } from "./views/folds.js";
import { InputView } from "./views/input.js";
import { MessageBar } from "./views/messages.js";
import { MetricsView } from "./views/metrics.js";
import { MorphPlayer } from "./views/morphplayer.js";
import { usePalette } from "./views/palette.js";
import { stalest } from "./views/plotchart.js";
import { RangeKeeper } from "./views/ranges.js";
import { StagesView } from "./views/stages.js";
import { setHidden, setText } from "./views/dom.js";
import { stepperChange } from "./views/shape.js";
import { Challenges } from "./challenges.js";
import { Inspector } from "./views/inspector.js";
import { StepThrough, closeupLayer } from "./views/steps.js";
import { showTask, taskKey } from "./views/task.js";

// The charts over time are Plotly figures (10–40 ms a redraw): one of them is redrawn at most
// this often, and they take at most a tenth of the time (a slow machine waits longer between
// redraws, up to a second).
const CHART_EVERY_MS = 150;
const CHART_SHARE = 10;
const CHART_MAX_WAIT_MS = 1000;

// What the browser tests (and a curious student with the console open) can read.
const spacefold = {
  frames: 0, // frames drawn
  received: 0, // frames received (some are skipped when they arrive faster than we draw)
  receivedAt: 0, // performance.now() when the last one came
  pending: false, // a frame waits to be drawn
  drawTotalMs: 0, // ms spent drawing frames, in all
  drawParts: {}, // ... and by view: {input, stages, focus, charts}
  lastHeader: null,
  lastFrame: null, // the last frame drawn: {header, arrays, shapes}
  stageCount: 0,
  state,
  views: {},
  strings: allKeys, // () => {en: [keys], zh: [keys]}, once every module has added its own
};
window.spacefold = spacefold;

/**
 * The page's element of this id (index.html has every one asked for here).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
const $ = (id) => /** @type {T} */ (document.getElementById(id));

/** Milliseconds between laps, by name. */
class Stopwatch {
  constructor() {
    this.start = performance.now();
    this.last = this.start;
    this.laps = {};
  }

  lap(name) {
    const now = performance.now();
    this.laps[name] = now - this.last;
    this.last = now;
  }

  get total() {
    return this.last - this.start;
  }
}

async function fetchSchema() {
  const response = await fetch("/api/schema");
  if (!response.ok) throw new Error(`GET /api/schema: ${await problemOf(response)}`);
  return response.json();
}

async function main() {
  setLanguage(initialLanguage());
  const messages = new MessageBar($("messages"));
  let schema;
  try {
    schema = await fetchSchema();
  } catch (error) {
    messages.show({ key: "msg.schema", params: { message: error instanceof Error ? error.message : String(error) } });
    return;
  }
  state.schema = schema;
  usePalette(schema.palette);

  // Drawing happens in one animation-frame callback (draw, below); anything may ask for one.
  let scheduled = false;
  /** @type {(now: DOMHighResTimeStamp) => void} */
  let draw = () => {};
  const request = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame((now) => draw(now));
  };

  const ranges = new RangeKeeper();
  const input = new InputView($("plot-input"), $("legend"));
  const metrics = new MetricsView($("metrics"), $("plot-metrics"), request);
  const folds = new FoldsView(
    { box: $("dead-box"), chart: $("plot-dead"), note: $("dead-note") },
    request,
  );
  const focus = new FocusView(
    {
      root: $("focus"),
      canvas: $("focus-canvas"),
      plot3d: $("focus-3d"),
      title: $("focus-title"),
      detail: $("focus-detail"),
      notice: $("focus-notice"),
      info: $("focus-info"),
    },
    ranges,
    () => request(),
  );
  let stages = null;
  const player = new MorphPlayer(
    {
      play: $("morph-play"),
      scrub: $("morph-scrub"),
      speed: $("morph-speed"),
      stages: $("morph-stages"),
      caption: $("morph-caption"),
      phases: $("morph-phases"),
    },
    (s) => {
      // Moved by hand, the close-up takes the inspector (and the step-through) to its layer.
      const layer = inspector && player.touched && closeupLayer(player.header, s, inspector.layer);
      if (layer && layer !== inspector.layer) inspector.pick(layer);
      focus.setPosition(s);
      const whole = Math.abs(s - Math.round(s)) < 1e-9;
      stages?.select(whole ? [Math.round(s)] : [Math.floor(s), Math.floor(s) + 1]);
      spacefold.views.steps?.render();
      request();
    },
    request,
  );
  // A stage panel clicked: show it in the focus view, and bring that into sight.
  const focusStage = (p) => player.goTo(p);
  let inspector = null; // the layer inspector (built once the socket can send)
  stages = new StagesView($("plot-stages"), ranges, (p) => {
    focusStage(p);
    inspector?.selectStage(p);
    $("focus").scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
  $("lock-axes").addEventListener("change", (event) => {
    ranges.setLocked(/** @type {HTMLInputElement} */ (event.target).checked);
    focus.redraw();
  });
  Object.assign(spacefold.views, { input, stages, focus, player, metrics, folds, ranges });
  // A new size (window, presenter mode, full screen, the drawer): draw the last frame again.
  spacefold.layout = setupLayout({
    topbar: $("topbar"),
    first: $("first"),
    strip: () => ({ count: stages.panels.length, extra: stages.extra() }),
    drawer: $("sidebar"),
    openButton: $("btn-settings"),
    closeButton: $("btn-drawer-close"),
    redraw: () => {
      if (!spacefold.lastFrame) return;
      input.redraw();
      stages.redraw();
      focus.redraw();
      request();
    },
  });
  spacefold.focusStage = focusStage;

  // The experiment the page should run: the link's, on top of the server's defaults.
  const query = readQuery(schema, foldQuery(location.search));
  for (const problem of query.problems) {
    messages.show({
      kind: "warn",
      key: "msg.badLink",
      params: { key: problem.key, value: problem.value, why: t(problem.why, problem.params) },
    });
  }
  let wanted = merge(schema.defaults ?? {}, query.changes);
  let wantRunning = !query.paused;

  let socket = null;
  // A follower's page only acknowledges frames: the session it shows is another's.
  const readOnly = followTarget(foldQuery(location.search)) !== null;
  const send = (message) => {
    if (readOnly && message.type !== "ack") return;
    socket?.send(message);
  };

  // Inside one layer: the inspector, stepping through its operations, the challenges.
  let steps = null;
  const pickLayer = (layer) => {
    steps.follow(layer);
    focus.redraw();
  };
  inspector = new Inspector($("inspector"), send, pickLayer, schema.max_weight);
  steps = new StepThrough($("focus-steps"), player, () => inspector.layer);
  // The close-up's lines are about the layer of the stage it shows: the inspector's while the
  // close-up is within that layer (as a pick there takes it), else the stage's own (as on the
  // stage it opens on, before anyone moved it).
  focus.layerOf = () => closeupLayer(player.header, player.s, inspector.layer);
  const challenges = new Challenges(inspector.challengeBox, schema.challenges, send);
  Object.assign(spacefold.views, { inspector, steps, challenges });

  const controls = new Controls({ bar: $("run-bar"), drawer: $("controls") }, schema, {
    change(path, value) {
      // Width or depth while the layers have widths of their own: rewrite those too.
      const model = stepperChange(path, value, state.config?.model);
      // A dataset may come with its recipe (engine/presets.py): a network that can learn it, or
      // a way of training it that works however its points were drawn.
      const recipe = path === "data.dataset" ? schema.recipes?.[value] : null;
      send({ type: "configure", changes: model ? { model } : { ...change(path, value), ...recipe } });
    },
    preset(name) {
      send({ type: "configure", changes: schema.presets[name] });
    },
    action(name) {
      if (name === "play" || name === "pause") wantRunning = name === "play";
      if (name === "step") {
        wantRunning = false;
        send({ type: "step", count: 1 });
        return;
      }
      if (name === "reset") {
        metrics.clear();
        folds.clear();
        playground.clear();
      }
      send({ type: name });
    },
  });

  // Drawing data, CSV files, features and layers, the network diagram, per-layer charts.
  const playground = setupPlayground({ schema, messages, send, input, request });
  Object.assign(spacefold.views, playground.views);

  // Lessons, presenter mode, shortcuts, saves, exports and follow mode.
  const classroom = setupClassroom({
    schema,
    state,
    send,
    action: (name) => controls.on.action(name),
    messages,
    player,
    sidebar: $("sidebar"),
    topbar: $("topbar"),
    layout: spacefold.layout,
    panel: $("classroom"),
    main: document.querySelector(".main"),
    morphCanvas: $("focus-canvas"),
    search: foldQuery(location.search),
  });
  spacefold.classroom = classroom;
  // A saved experiment opens as it was saved, and a follower drives nothing: both stay still.
  if (classroom.opening || classroom.following) wantRunning = false;

  // The convolution mode beside this one: out of sight, this one pauses (and plays on return).
  const modes = setupModes({
    messages,
    presenter: classroom.presenter,
    fold: {
      leave() {
        const was = wantRunning;
        wantRunning = false;
        if (state.running) send({ type: "pause" });
        return was;
      },
      enter(was) {
        writeQuery(schema, state.config ?? wanted, was || state.running);
        if (was && state.session) {
          wantRunning = true;
          send({ type: "play" });
        } else if (was) wantRunning = true;
      },
    },
  });
  spacefold.modes = modes;

  const renderStatus = () => {
    const status = $("status");
    const key = !state.connected
      ? state.session
        ? "status.lost"
        : "status.connecting"
      : state.running
        ? "status.training"
        : "status.paused";
    status.className = `status ${key.split(".")[1]}`;
    $("status-text").textContent = t(key);
  };

  // The architecture as the widths of its layers, from the frame: "2 → 8 → 8 → 2".
  const renderSummary = (header) => {
    const widths = header.stages.filter((s) => s.kind !== "fold").map((s) => s.width);
    const text = widths.join(" → ");
    const summary = $("summary");
    if (summary.textContent !== text) summary.textContent = text;
  };

  const refresh = () => {
    controls.render(state.config, state.running, state.connected);
    playground.render(state.config, state.connected);
    renderStatus();
  };

  const adopt = (message) => {
    state.config = message.config;
    state.running = message.running;
    state.step = message.step;
    if (message.generation !== undefined) state.generation = message.generation;
    if (message.undo !== undefined) state.undo = message.undo;
  };

  const renderNote = () => {
    const note = $("stages-note");
    setHidden(note, !stages.projected);
    if (stages.projected) setText(note, t(taskKey("stages.projected")));
  };

  // Drawing: keep only the newest frame; draw it on the next animation frame, then move the
  // morph on (if it plays) and redraw the focus view if anything it shows changed.
  let pending = null;
  let chartsDrawn = 0;
  let chartsLater = null;
  let chartsCost = 0; // ms the last turn took (drawParts.charts adds them all up)
  const charts = [metrics, folds, playground.views.layerStats].flatMap((view) => view.charts);
  const chartsStale = () => stalest(charts) !== null;
  const chartsWait = () =>
    Math.min(CHART_MAX_WAIT_MS, Math.max(CHART_EVERY_MS, CHART_SHARE * chartsCost));
  const drawCharts = () => {
    const next = stalest(charts);
    if (next === null) return;
    const start = performance.now();
    // A chart that shows nothing yet (or an older network) is drawn at once; the others wait.
    if (next.drawnAt === 0 || start - chartsDrawn >= chartsWait()) {
      // One figure a task, the one that waited longest, so no task waits on more than one.
      chartsDrawn = start;
      next.redraw();
      chartsCost = performance.now() - start;
      spacefold.drawParts.charts = (spacefold.drawParts.charts ?? 0) + chartsCost;
      if (!chartsStale()) return;
    }
    // Not yet, or more to draw: a little later, so that the last frame's numbers always show.
    const now = performance.now();
    const left = stalest(charts).drawnAt === 0 ? 0 : chartsDrawn + chartsWait() - now;
    chartsLater ??= setTimeout(() => {
      chartsLater = null;
      chartsSoon();
    }, Math.max(0, left));
  };
  // The charts are drawn in a task of their own, once the frame is painted: Plotly measures its
  // labels, which costs little while the page's layout is fresh, and far more in the middle of
  // drawing a frame.
  let chartsTask = null;
  const chartsSoon = () => {
    chartsTask ??= setTimeout(() => {
      chartsTask = null;
      drawCharts();
    }, 0);
  };
  draw = (now) => {
    scheduled = false;
    let frame = pending;
    pending = null;
    spacefold.pending = false;
    if (frame && frame.header.generation < state.generation) {
      // A network that went while its frame waited for this animation frame: its numbers
      // must not enter the new network's charts.
      send({ type: "ack" });
      frame = null;
    }
    const clock = new Stopwatch();
    if (frame) {
      const { header } = frame;
      showTask(header);
      input.update(frame);
      clock.lap("input");
      stages.update(frame, state.config?.view ?? {});
      clock.lap("stages");
      metrics.push(header);
      folds.push(header);
      player.setHeader(header);
      focus.setFrame(frame);
      inspector.update(frame);
      steps.setHeader(header);
      challenges.update(frame);
      playground.update(frame);
      renderNote();
      renderSummary(header);
    }
    const playing = player.tick(now);
    focus.render();
    clock.lap("focus");
    chartsSoon();
    if (frame) {
      spacefold.drawMs = clock.total;
      spacefold.drawTotalMs += clock.total;
      for (const [part, ms] of Object.entries(clock.laps)) {
        spacefold.drawParts[part] = (spacefold.drawParts[part] ?? 0) + ms;
      }
      send({ type: "ack" }); // drawn: the server may send the next one (flow control)
      spacefold.frames++;
      spacefold.lastHeader = frame.header;
      spacefold.lastFrame = frame;
      spacefold.stageCount = stages.stageCount;
      inspector.afterDraw(frame, spacefold.receivedAt);
    }
    if (playing) request();
  };

  socket = new Socket(classroom.socketUrl(socketUrl()), {
    hello(message) {
      const reconnect = state.session !== null;
      if (reconnect) {
        // A new session: ask for the experiment we had, in the state we had it.
        wanted = state.config ?? wanted;
      }
      messages.dismissTag(LOST_TAG.fold);
      adopt(message);
      state.session = message.session;
      state.connected = true;
      if (!classroom.following) {
        const changes = difference(wanted, message.config);
        if (changes) send({ type: "configure", changes });
        if (wantRunning && !message.running) send({ type: "play" });
      }
      refresh();
      classroom.hello(message);
    },
    state(message) {
      // Within a session the generations only grow: a lower one than the page knows is no new
      // network, and the frames of the older one it names are gone (see frame()).
      const newer = message.generation > state.generation;
      if (newer) {
        metrics.clear();
        folds.clear();
        playground.clear();
      }
      adopt(newer ? message : { ...message, generation: state.generation });
      if (!modes.conv) wantRunning = message.running;
      if (!modes.conv) writeQuery(schema, state.config, state.running);
      refresh();
      classroom.state(message);
    },
    error(message) {
      if (classroom.followError(message)) return;
      messages.show({
        key: "msg.error",
        params: { message: message.message },
        extra: message.allowed ? { key: "msg.allowed", params: { allowed: message.allowed } } : null,
      });
      refresh(); // put any control the user moved back to the config the server kept
      inspector.refused();
    },
    diverged(message) {
      state.running = false;
      wantRunning = false;
      messages.show({
        kind: "warn",
        key: "msg.diverged",
        params: { step: message.step, message: message.message },
        action: {
          key: "btn.reset",
          run: () => {
            metrics.clear();
            folds.clear();
            playground.clear();
            wantRunning = true;
            send({ type: "reset" });
            send({ type: "play" });
          },
        },
        tag: "diverged",
      });
      if (!modes.conv) writeQuery(schema, state.config, false);
      refresh();
    },
    pong() {},
    notice: (message) => classroom.notice(message),
    lesson(message) {
      classroom.lesson(message);
    },
    frame(buffer) {
      let frame;
      try {
        frame = decodeFrame(buffer);
      } catch (error) {
        send({ type: "ack" });
        messages.show({
          key: "msg.badFrame",
          params: { message: error instanceof Error ? error.message : String(error) },
          tag: "bad-frame",
        });
        return;
      }
      spacefold.received++;
      spacefold.receivedAt = performance.now();
      // Every frame is acknowledged once: when drawn, or when it is skipped (see draw()).
      if (frame.header.generation < state.generation) {
        send({ type: "ack" }); // a network that is gone
        return;
      }
      if (pending) send({ type: "ack" }); // replaced before it was drawn
      pending = frame;
      spacefold.pending = true;
      request();
    },
    close() {
      const wasConnected = state.connected;
      state.connected = false;
      if (wasConnected) messages.show({ kind: "warn", key: "msg.lost", tag: LOST_TAG.fold });
      refresh();
    },
  });
  socket.connect();
  // Handle a message as if the server had sent it (for tests and for trying the page out).
  spacefold.dispatch = (message) => socket.dispatch(JSON.stringify(message));

  $("btn-lang").addEventListener("click", () => {
    setLanguage(getLanguage() === "zh" ? "en" : "zh");
  });
  onLanguageChange(() => {
    controls.relabel();
    input.relabel();
    stages.redraw();
    metrics.relabel();
    folds.relabel();
    player.relabel();
    focus.redraw();
    inspector.relabel();
    steps.relabel();
    challenges.relabel();
    playground.relabel();
    messages.relabel();
    renderStatus();
    renderNote();
    classroom.relabel();
  });

  refresh();
}

main();
