// Wiring: load the schema, build the controls, connect, apply the link's experiment, start
// training, and draw the latest frame once per animation frame.

import { Controls } from "./controls.js";
import { decodeFrame } from "./frame.js";
import { getLanguage, initialLanguage, onLanguageChange, setLanguage, t } from "./i18n.js";
import { Socket, socketUrl } from "./socket.js";
import { change, difference, merge, readQuery, state, writeQuery } from "./state.js";
import { InputView } from "./views/input.js";
import { MessageBar } from "./views/messages.js";
import { MetricsView } from "./views/metrics.js";
import { StagesView } from "./views/stages.js";

const CHART_EVERY_MS = 120;

// What the browser tests (and a curious student with the console open) can read.
const spacefold = {
  frames: 0, // frames drawn
  received: 0, // frames received (some are skipped when they arrive faster than we draw)
  receivedAt: 0, // performance.now() when the last one came
  pending: false, // a frame waits to be drawn
  lastHeader: null,
  stageCount: 0,
  state,
};
window.spacefold = spacefold;

const $ = (id) => document.getElementById(id);

async function fetchSchema() {
  const response = await fetch("/api/schema");
  if (!response.ok) throw new Error(`GET /api/schema: HTTP ${response.status}`);
  return response.json();
}

async function main() {
  setLanguage(initialLanguage());
  const messages = new MessageBar($("messages"));
  let schema;
  try {
    schema = await fetchSchema();
  } catch (error) {
    messages.show({ key: "msg.schema", params: { message: String(error.message ?? error) } });
    return;
  }
  state.schema = schema;

  const input = new InputView($("plot-input"), $("legend"));
  const stages = new StagesView($("plot-stages"));
  const metrics = new MetricsView($("metrics"), $("plot-metrics"));

  // The experiment the page should run: the link's, on top of the server's defaults.
  const query = readQuery(schema, location.search);
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
  const send = (message) => socket?.send(message);

  const controls = new Controls($("controls"), schema, {
    change(path, value) {
      send({ type: "configure", changes: change(path, value) });
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
      if (name === "reset") metrics.clear();
      send({ type: name });
    },
  });

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
    renderStatus();
  };

  const adopt = (message) => {
    state.config = message.config;
    state.running = message.running;
    state.step = message.step;
    if (message.generation !== undefined) state.generation = message.generation;
  };

  const renderNote = () => {
    const note = $("stages-note");
    note.hidden = !stages.projected;
    if (stages.projected) note.textContent = t("stages.projected");
  };

  // Drawing: keep only the newest frame; draw it on the next animation frame.
  let pending = null;
  let scheduled = false;
  let chartDrawn = 0;
  const draw = () => {
    scheduled = false;
    const frame = pending;
    pending = null;
    spacefold.pending = false;
    if (!frame) return;
    const { header } = frame;
    const t0 = performance.now();
    input.update(frame);
    const t1 = performance.now();
    stages.update(frame, state.config?.view ?? {});
    const t2 = performance.now();
    metrics.push(header);
    if (t2 - chartDrawn > CHART_EVERY_MS) {
      chartDrawn = t2;
      metrics.draw();
    }
    renderNote();
    renderSummary(header);
    const t3 = performance.now();
    spacefold.drawMs = { input: t1 - t0, stages: t2 - t1, metrics: t3 - t2 };
    send({ type: "ack" }); // drawn: the server may send the next one (flow control)
    spacefold.frames++;
    spacefold.lastHeader = header;
    spacefold.stageCount = stages.stageCount;
  };

  socket = new Socket(socketUrl(), {
    hello(message) {
      const reconnect = state.session !== null;
      if (reconnect) {
        // A new session: ask for the experiment we had, in the state we had it.
        wanted = state.config ?? wanted;
      }
      messages.dismissTag("lost");
      adopt(message);
      state.session = message.session;
      state.connected = true;
      const changes = difference(wanted, message.config);
      if (changes) send({ type: "configure", changes });
      if (wantRunning && !message.running) send({ type: "play" });
      refresh();
    },
    state(message) {
      if (message.generation !== state.generation) metrics.clear();
      adopt(message);
      wantRunning = message.running;
      writeQuery(schema, state.config, state.running);
      refresh();
    },
    error(message) {
      messages.show({
        key: "msg.error",
        params: { message: message.message },
        extra: message.allowed ? { key: "msg.allowed", params: { allowed: message.allowed } } : null,
      });
      refresh(); // put any control the user moved back to the config the server kept
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
            wantRunning = true;
            send({ type: "reset" });
            send({ type: "play" });
          },
        },
        tag: "diverged",
      });
      writeQuery(schema, state.config, false);
      refresh();
    },
    pong() {},
    frame(buffer) {
      let frame;
      try {
        frame = decodeFrame(buffer);
      } catch (error) {
        send({ type: "ack" });
        messages.show({
          key: "msg.badFrame",
          params: { message: String(error.message ?? error) },
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
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(draw);
      }
    },
    close() {
      const wasConnected = state.connected;
      state.connected = false;
      if (wasConnected) messages.show({ kind: "warn", key: "msg.lost", tag: "lost" });
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
    messages.relabel();
    renderStatus();
    renderNote();
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.closest?.("input, select, textarea, button")) return;
    if (event.ctrlKey || event.metaKey || event.altKey || !state.connected) return;
    if (event.key === " ") {
      event.preventDefault();
      controls.on.action(state.running ? "pause" : "play");
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      controls.on.action("step");
    }
  });

  refresh();
}

main();
