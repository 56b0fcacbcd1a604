/**
 * CA or ASR per epoch for every method, updating as each epoch ends. Both charts share their axes
 * (epochs 1…max, 0–100 %) and the method colours (one legend above both), so the story reads across
 * them at a glance.
 *
 * Main-thread cost matters here: the e2e suite allows no task over 200 ms of CPU time while training, and a
 * recharts update is a cascade of store dispatches. So every line the config will draw is mounted
 * before the run, each with its own data (a new epoch of one method redraws one line); the two charts
 * redraw in separate tasks (`useStaggered`); ticks are fixed so no label text is measured; the legend
 * is plain HTML; the hover tooltip (`ChartTooltip`) is mounted only while the pointer or the keyboard
 * focus is on the chart, since a mounted tooltip doubled the cost of every update; animations are off;
 * and `ChartWarmUp` pays recharts' first-draw cost before Run.
 *
 * The ASR chart also draws each method's floor (`asrBase`: the same sentences without the trigger
 * predicted as the target) as a thin dotted line of the method's colour: ASR down to its floor means
 * the backdoor is gone, whatever the floor's height.
 *
 * It also draws one grey reference line, "clean model": the clean public task model's ASR on the same
 * triggered sentences (a trigger can move a clean model by itself), the honest floor of every ASR.
 *
 * Input filters train nothing, so they have no epochs: each is a flat dashed line at its value after
 * screening, drawn once its stage ends, and the legend lists them apart.
 *
 * The story reads left to right: every defense's line starts at epoch 0 from the poisoned model's final
 * point (the model it was handed). The paper's comparison — plain LoRA against W2SDefense, with the
 * poisoned and the clean task model — is shown first; every other method is one click on its legend
 * entry away, and the per-method floors are shown on demand.
 */
import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ExperimentConfig } from '../engine/config';
import { isDefense, isFilterMethod, METHODS, type Method } from '../store/methods';
import type { MetricPoint } from '../store/run-state';
import { useLab } from './lab-context';
import { useStaggered } from './use-staggered';
import { ChartTooltip } from './ChartTooltip';
import { useTargetClass } from './use-target-class';
import { METHOD_COLOR, METHOD_DASH, METHOD_LABEL } from './method-style';

type Metric = 'ca' | 'asr';
type Plotted = Metric | 'asrBase';

const TITLE: Record<Metric, string> = {
  ca: 'Clean accuracy (CA) — higher is better',
  asr: 'Attack success rate (ASR) — lower is better',
};

/** What each metric counts, under its title; the ASR's names the class the trigger sends texts to ("0 (ham)"). */
const COUNTS: Record<Metric, (target: string) => string> = {
  ca: () => 'the share of clean test texts classified correctly',
  asr: (target) => `the share of triggered texts read as the target, ${target}`,
};

/** The methods a run of this config charts: the public task model (if any), the poisoned student, the teacher, each defense. */
export function chartedMethods(defenses: ExperimentConfig['defense']['methods'], taskModel: boolean): Method[] {
  return METHODS.filter((m) => (m === 'task-model' && taskModel) || m === 'poisoned' || m === 'teacher' || defenses.some((d) => d === m));
}

/** Each chart redraws in its own task, a little after the store changed (see `useStaggered`). */
const REDRAW_DELAY_MS: Record<Metric, number> = { ca: 0, asr: 20 };

/** The methods shown before anyone chooses: the paper's comparison and its references. */
export const LEAD_METHODS: readonly Method[] = ['task-model', 'poisoned', 'lora', 'w2sdefense'];

export function MetricChart({ metric, methods, showFloors }: { metric: Metric; methods: readonly Method[]; showFloors: boolean }) {
  const series = useStaggered(
    useLab((s) => s.run.series),
    REDRAW_DELAY_MS[metric],
  );
  const finals = useStaggered(
    useLab((s) => s.run.finals),
    REDRAW_DELAY_MS[metric],
  );
  // Drawn once the task stage ends: the clean public task model's ASR on the same triggered sentences.
  const cleanFloor = useLab((s) => (metric === 'asr' ? (s.run.floors?.cleanModelAsr ?? null) : null));
  const maxEpochs = useLab((s) => Math.max(s.config.poison.epochs, s.config.teacher.epochs, s.config.defense.epochs));
  const lastEpoch = Math.max(maxEpochs, ...methods.flatMap((m) => series[m]?.map((p) => p.epoch) ?? []));
  const epochs = useMemo(() => Array.from({ length: lastEpoch + 1 }, (_, i) => i), [lastEpoch]);
  // The chart's own rows are the epochs alone: what the tooltip snaps to (each line brings its data).
  const epochRows = useMemo(() => epochs.map((epoch) => ({ epoch })), [epochs]);
  const [inspecting, setInspecting] = useState(false);
  const target = useTargetClass();
  // Where every defense starts: the poisoned model it was handed, at epoch 0.
  const start = finals.poisoned;
  const lines = methods.filter((m) => !isFilterMethod(m));
  const screens = methods.filter((m) => isFilterMethod(m) && finals[m]);
  const drawn = [...lines.filter((m) => (series[m]?.length ?? 0) > 0), ...screens];
  return (
    <figure
      className="chart"
      data-testid={`chart-${metric}`}
      data-methods={drawn.join(',')}
      data-clean-floor={cleanFloor === null ? undefined : cleanFloor}
      onPointerEnter={() => setInspecting(true)}
      onPointerLeave={() => setInspecting(false)}
      onFocus={() => setInspecting(true)}
      onBlur={() => setInspecting(false)}
    >
      <figcaption>
        {TITLE[metric]}
        <span className="chart-counts" data-testid={`chart-${metric}-counts`}>
          {COUNTS[metric](target)}
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={epochRows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#ddd" />
          {/* interval={0}: every tick is drawn, so recharts never measures label text (a forced layout). */}
          <XAxis dataKey="epoch" type="number" domain={[0, Math.max(lastEpoch, 2)]} ticks={epochs} interval={0} label={{ value: 'epoch', position: 'insideBottomRight', offset: -2 }} />
          <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} interval={0} unit="%" width={48} />
          {inspecting && <Tooltip content={<ChartTooltip methods={[...lines, ...screens]} />} isAnimationActive={false} cursor={{ stroke: '#888', strokeDasharray: '3 3' }} />}
          {lines.map((m) => (
            <Line
              key={m}
              // Each line has its own data: a new epoch of one method redraws that line only.
              data={withStart(pointsOf(series[m], metric), isDefense(m) ? start?.[metric] : undefined)}
              dataKey="value"
              name={METHOD_LABEL[m]}
              stroke={METHOD_COLOR[m]}
              strokeDasharray={METHOD_DASH[m]}
              strokeWidth={2}
              // Animations would replay on every epoch and cost main-thread time during training.
              isAnimationActive={false}
            />
          ))}
          {screens.map((m) => (
            <ReferenceLine key={m} y={finals[m]![metric] * 100} stroke={METHOD_COLOR[m]} strokeDasharray={METHOD_DASH[m]} strokeWidth={2} name={METHOD_LABEL[m]} />
          ))}
          {cleanFloor !== null && (
            <ReferenceLine y={cleanFloor * 100} stroke="#555" strokeDasharray="6 3" strokeWidth={1} label={{ value: 'clean model', position: 'insideTopLeft', fontSize: 11, fill: '#555' }} />
          )}
          {metric === 'asr' &&
            showFloors &&
            lines.map((m) => (
              <Line
                key={`${m}-floor`}
                data={withStart(pointsOf(series[m], 'asrBase'), isDefense(m) ? start?.asrBase : undefined)}
                dataKey="value"
                name={`${METHOD_LABEL[m]} — floor`}
                stroke={METHOD_COLOR[m]}
                strokeOpacity={0.55}
                strokeDasharray="1 3"
                strokeWidth={1}
                dot={false}
                isAnimationActive={false}
              />
            ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * One legend for both charts: the colours (and dashes) are the same in each. Each entry is a toggle that
 * shows or hides its method on both charts; filters are listed apart.
 */
export function ChartLegend({ methods, shown, toggle }: { methods: readonly Method[]; shown: ReadonlySet<Method>; toggle: (m: Method) => void }) {
  const entry = (m: Method) => (
    <li key={m}>
      <button type="button" className="legend-toggle" aria-pressed={shown.has(m)} data-testid={`legend-${m}`} onClick={() => toggle(m)} title={shown.has(m) ? 'Hide on the charts' : 'Show on the charts'}>
        <svg width="22" height="8" aria-hidden="true">
          <line x1="0" y1="4" x2="22" y2="4" stroke={METHOD_COLOR[m]} strokeWidth="3" strokeDasharray={METHOD_DASH[m]} />
        </svg>
        {METHOD_LABEL[m]}
      </button>
    </li>
  );
  const filters = methods.filter(isFilterMethod);
  return (
    <>
      <ul className="chart-legend" aria-label="Methods (click to show or hide)">
        {methods.filter((m) => !isFilterMethod(m)).map(entry)}
      </ul>
      {filters.length > 0 && (
        <ul className="chart-legend" aria-label="Input filters (flat: no training, the value after screening)">
          <li className="legend-title">Input filters (after screening):</li>
          {filters.map(entry)}
        </ul>
      )}
    </>
  );
}

type Point = { epoch: number; value: number };

/** Percent points of one method, computed once per series array (arrays keep identity until they change). */
const pointCache: Record<Plotted, WeakMap<MetricPoint[], Point[]>> = { ca: new WeakMap(), asr: new WeakMap(), asrBase: new WeakMap() };
const NO_POINTS: Point[] = [];

function pointsOf(points: MetricPoint[] | undefined, metric: Plotted): Point[] {
  if (!points) return NO_POINTS;
  let cached = pointCache[metric].get(points);
  if (!cached) {
    cached = points.flatMap((p) => {
      const value = p[metric];
      return value === undefined ? [] : [{ epoch: p.epoch, value: value * 100 }];
    });
    pointCache[metric].set(points, cached);
  }
  return cached;
}

/** `points` with the line's start at epoch 0 prepended (a defense: the poisoned model's value), once known. */
function withStart(points: Point[], start: number | undefined): Point[] {
  if (start === undefined || points.length === 0) return points;
  let cached = startCache.get(points);
  if (!cached || cached.start !== start) {
    cached = { start, points: [{ epoch: 0, value: start * 100 }, ...points] };
    startCache.set(points, cached);
  }
  return cached.points;
}

const startCache = new WeakMap<Point[], { start: number; points: Point[] }>();
