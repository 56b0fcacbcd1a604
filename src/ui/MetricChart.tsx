/**
 * CA or ASR per epoch for every method, updating as each epoch ends. Both charts share their axes
 * (epochs 1…max, 0–100 %) and the method colours (one legend above both), so the story reads across
 * them at a glance.
 *
 * Main-thread cost matters here (training events keep coming): every line the config will draw is
 * mounted up front, before the run, so an epoch only changes data; the legend is plain HTML; there
 * is no hover tooltip (it doubled the cost of an update; the table has the exact numbers); and
 * animations are off.
 */
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { ExperimentConfig } from '../engine/config';
import { METHODS, type Method } from '../store/methods';
import type { MetricPoint } from '../store/run-state';
import { useLab } from './lab-context';
import { useStaggered } from './use-staggered';
import { METHOD_COLOR, METHOD_DASH, METHOD_LABEL } from './method-style';

type Metric = 'ca' | 'asr';

const TITLE: Record<Metric, string> = {
  ca: 'Clean accuracy (CA) — higher is better',
  asr: 'Attack success rate (ASR) — lower is better',
};

type Row = { epoch: number } & Partial<Record<Method, number>>;

/** The methods a run of this config charts: the poisoned student, the teacher, each defense. */
export function chartedMethods(defenses: ExperimentConfig['defense']['methods']): Method[] {
  return METHODS.filter((m) => m === 'poisoned' || m === 'teacher' || defenses.some((d) => d === m));
}

/** Each chart redraws in its own task, a little after the store changed (see `useStaggered`). */
const REDRAW_DELAY_MS: Record<Metric, number> = { ca: 0, asr: 20 };

export function MetricChart({ metric, methods }: { metric: Metric; methods: readonly Method[] }) {
  const series = useStaggered(
    useLab((s) => s.run.series),
    REDRAW_DELAY_MS[metric],
  );
  const maxEpochs = useLab((s) => Math.max(s.config.poison.epochs, s.config.teacher.epochs, s.config.defense.epochs));
  const rows = useMemo(() => toRows(series, metric, maxEpochs), [series, metric, maxEpochs]);
  const drawn = methods.filter((m) => (series[m]?.length ?? 0) > 0);
  return (
    <figure className="chart" data-testid={`chart-${metric}`} data-methods={drawn.join(',')}>
      <figcaption>{TITLE[metric]}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#ddd" />
          <XAxis dataKey="epoch" type="number" domain={[1, Math.max(rows.length, 2)]} allowDecimals={false} label={{ value: 'epoch', position: 'insideBottomRight', offset: -2 }} />
          <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} unit="%" width={48} />

          {methods.map((m) => (
            <Line
              key={m}
              dataKey={m}
              name={METHOD_LABEL[m]}
              stroke={METHOD_COLOR[m]}
              strokeDasharray={METHOD_DASH[m]}
              strokeWidth={2}
              connectNulls
              // Animations would replay on every epoch and cost main-thread time during training.
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** One legend for both charts: the colours (and dashes) are the same in each. */
export function ChartLegend({ methods }: { methods: readonly Method[] }) {
  return (
    <ul className="chart-legend" aria-label="Methods">
      {methods.map((m) => (
        <li key={m}>
          <svg width="22" height="8" aria-hidden="true">
            <line x1="0" y1="4" x2="22" y2="4" stroke={METHOD_COLOR[m]} strokeWidth="3" strokeDasharray={METHOD_DASH[m]} />
          </svg>
          {METHOD_LABEL[m]}
        </li>
      ))}
    </ul>
  );
}

/** One row per epoch, one column per method, values in percent. */
function toRows(series: Partial<Record<Method, MetricPoint[]>>, metric: Metric, maxEpochs: number): Row[] {
  const seen = Math.max(0, ...Object.values(series).flatMap((points) => points?.map((p) => p.epoch) ?? []));
  const rows: Row[] = Array.from({ length: Math.max(maxEpochs, seen) }, (_, i) => ({ epoch: i + 1 }));
  for (const method of METHODS) {
    for (const point of series[method] ?? []) {
      const row = rows[point.epoch - 1];
      if (row) row[method] = point[metric] * 100;
    }
  }
  return rows;
}
