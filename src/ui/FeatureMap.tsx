/**
 * The feature map: each model's pooled features for clean and triggered test sentences, projected on
 * that model's top two principal components. Colour = the label the model predicts (Okabe–Ito), shape =
 * triggered (triangle) or clean (circle); hover shows the text and its true label. Each plot ends in one
 * sentence computed from its points: how many triggered sentences the model sends to the attack's
 * target — in the poisoned student the triangles take the target's colour, after unlearning their own.
 */
import { useEffect } from 'react';
import type { FeatureMap as FeatureMapData } from '../../workers/protocol';
import { METHODS, type Method } from '../store/methods';
import { useActions, useLab } from './lab-context';
import { METHOD_LABEL } from './method-style';
import { triggeredVerdict } from './feature-verdict';

const LABEL_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];
const SIZE = 220;
const PAD = 12;

export function FeatureMap() {
  const map = useLab((s) => s.featureMap);
  const targetLabel = useLab((s) => s.run.results?.config.attack.targetLabel);
  const actions = useActions();
  useEffect(() => {
    if (!map) void actions.loadFeatureMap();
  }, [map, actions]);
  if (!map) return <p className="hint">Projecting features…</p>;
  const models = METHODS.filter((m) => map.coords[m]);
  const labels = [...new Map(map.points.map((p) => [p.label, p.labelName])).entries()].sort((a, b) => a[0] - b[0]);
  const target = targetLabel ?? 0;
  return (
    <section className="feature-map-view" aria-labelledby="features-title">
      <h3 id="features-title">Feature map</h3>
      <p className="hint">
        Pooled features of {map.points.filter((p) => !p.triggered).length} clean test sentences and {map.points.filter((p) => p.triggered).length} triggered ones, projected on each model’s
        top two principal components (PC 1 across, PC 2 up), coloured by what each model predicts. Hover a point to read its sentence.
      </p>
      <ul className="feature-legend">
        {labels.map(([label, name]) => (
          <li key={label}>
            <svg width="12" height="12" aria-hidden="true">
              <circle cx="6" cy="6" r="5" fill={LABEL_COLORS[label % LABEL_COLORS.length]} />
            </svg>
            predicted {name}
          </li>
        ))}
        <li>
          <svg width="12" height="12" aria-hidden="true">
            <path d="M6 1 L11 11 L1 11 Z" fill="none" stroke="#333" />
          </svg>
          with trigger
        </li>
      </ul>
      <div className="feature-plots" data-testid="feature-map">
        {models.map((m) => (
          <Plot key={m} model={m} map={map} target={target} />
        ))}
      </div>
    </section>
  );
}

function Plot({ model, map, target }: { model: Method; map: FeatureMapData; target: number }) {
  const coords = map.coords[model]!;
  const predicted = map.predicted[model] ?? map.points.map((p) => p.label);
  const n = map.points.length;
  const xs = Array.from({ length: n }, (_, i) => coords[2 * i]!);
  const ys = Array.from({ length: n }, (_, i) => coords[2 * i + 1]!);
  const scale = (v: number, lo: number, hi: number) => PAD + ((v - lo) / (hi - lo || 1)) * (SIZE - 2 * PAD);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const nameOf = new Map(map.points.map((p) => [p.label, p.labelName]));
  const targetName = nameOf.get(target) ?? String(target);
  const verdict = triggeredVerdict(predicted, map.points, target, targetName);
  return (
    <figure className="feature-plot" data-model={model}>
      <figcaption>{METHOD_LABEL[model]}</figcaption>
      <svg width={SIZE} height={SIZE} viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={`${METHOD_LABEL[model]}: features of ${n} sentences; ${verdict.sentence}`}>
        <rect width={SIZE} height={SIZE} fill="#fff" stroke="#ddd" />
        <line x1={PAD / 2} y1={SIZE - PAD / 2} x2={SIZE - PAD / 2} y2={SIZE - PAD / 2} stroke="#bbb" />
        <line x1={PAD / 2} y1={SIZE - PAD / 2} x2={PAD / 2} y2={PAD / 2} stroke="#bbb" />
        <text x={SIZE - PAD} y={SIZE - PAD} textAnchor="end" fontSize="10" fill="#666">
          PC 1
        </text>
        <text x={PAD} y={PAD + 6} fontSize="10" fill="#666">
          PC 2
        </text>
        {map.points.map((p, i) => {
          const x = scale(xs[i]!, x0, x1);
          const y = SIZE - scale(ys[i]!, y0, y1);
          const label = predicted[i] ?? p.label;
          const color = LABEL_COLORS[label % LABEL_COLORS.length];
          const title = <title>{`${p.triggered ? '[triggered] ' : ''}true ${p.labelName}, predicted ${nameOf.get(label) ?? label}: ${p.text}`}</title>;
          return p.triggered ? (
            <path key={i} className="feature-point" data-label={p.label} data-predicted={label} data-triggered="true" d={`M${x} ${y - 5} L${x + 5} ${y + 4} L${x - 5} ${y + 4} Z`} fill="none" stroke={color} strokeWidth={1.6}>
              {title}
            </path>
          ) : (
            <circle key={i} className="feature-point" data-label={p.label} data-predicted={label} data-triggered="false" cx={x} cy={y} r={4} fill={color} fillOpacity={0.75}>
              {title}
            </circle>
          );
        })}
      </svg>
      <p className="feature-verdict" data-testid={`feature-verdict-${model}`} data-sent={verdict.sent} data-of={verdict.of}>
        {verdict.sentence}
      </p>
    </figure>
  );
}
