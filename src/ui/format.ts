/** How numbers read on screen: the table, the charts and the progress bars agree on these. */

/** 0.9123 → "91.2%". The e2e tests compare table cells with the worker's results through this. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Difference of two fractions in percentage points, signed: "+3.1 pp", "−40.0 pp". */
export function deltaPoints(value: number, reference: number): string {
  const d = (value - reference) * 100;
  const sign = d > 0.05 ? '+' : d < -0.05 ? '−' : '±';
  return `${sign}${Math.abs(d).toFixed(1)} pp`;
}

/** 75 → "1:15". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export function rate(samplesPerSecond: number): string {
  return samplesPerSecond >= 100 ? samplesPerSecond.toFixed(0) : samplesPerSecond.toFixed(1);
}
