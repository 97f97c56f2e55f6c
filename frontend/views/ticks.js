// Axis ticks: round values (1, 2 or 5 times a power of ten) and their labels.

/** Tick values about `count` to a span, on 1, 2 or 5 times a power of ten. */
export function niceTicks(lo, hi, count) {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return { values: [], step: 1 };
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const step = (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
  const values = [];
  for (let i = Math.ceil(lo / step); i * step <= hi; i++) values.push(i * step);
  return { values, step };
}

/** A tick's label: as many decimals as the step needs, "12k" for big round numbers. */
export function formatTick(value, step) {
  if (Math.abs(value) < step * 1e-6) return "0";
  if (Math.abs(value) >= 1e4 && step >= 1000) {
    return `${Number((value / 1000).toPrecision(6))}k`.replace("-", "−");
  }
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(digits).replace("-", "−");
}
