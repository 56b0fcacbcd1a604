/**
 * The feature map: each model's pooled features for clean and triggered test sentences, projected on
 * that model's top two principal components. In the poisoned student the triggered sentences gather in
 * a cluster of their own; after unlearning (and in the clean teacher) they sit among their true class.
 * Colour = true label (Okabe–Ito), shape = triggered (triangle) or clean (circle); hover shows the text.
 */
import { useEffect } from 'react';
import type { FeatureMap as FeatureMapData } from '../../workers/protocol';
import { METHODS, type Method } from '../store/methods';
import { useActions, useLab } from './lab-context';
import { METHOD_LABEL } from './method-style';

const LABEL_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];
const SIZE = 220;
const PAD = 12;

export function FeatureMap() {
  const map = useLab((s) => s.featureMap);
  const actions = useActions();
  useEffect(() => {
    if (!map) void actions.loadFeatureMap();
  }, [map, actions]);
  if (!map) return <p className="hint">Projecting features…</p>;
  const models = METHODS.filter((m) => map.coords[m]);
  const labels = [...new Map(map.points.map((p) => [p.label, p.labelName])).entries()].sort((a, b) => a[0] - b[0]);
  return (
    <section className="feature-map-view" aria-labelledby="features-title">
      <h3 id="features-title">Feature map</h3>
      <p className="hint">
        Pooled features of {map.points.filter((p) => !p.triggered).length} clean test sentences and {map.points.filter((p) => p.triggered).length} triggered ones, projected on each model’s
        top two principal components. Hover a point to read its sentence.
      </p>
      <ul className="feature-legend">
        {labels.map(([label, name]) => (
          <li key={label}>
            <svg width="12" height="12" aria-hidden="true">
              <circle cx="6" cy="6" r="5" fill={LABEL_COLORS[label % LABEL_COLORS.length]} />
            </svg>
            {name}
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
          <Plot key={m} model={m} map={map} />
        ))}
      </div>
    </section>
  );
}

function Plot({ model, map }: { model: Method; map: FeatureMapData }) {
  const coords = map.coords[model]!;
  const n = map.points.length;
  const xs = Array.from({ length: n }, (_, i) => coords[2 * i]!);
  const ys = Array.from({ length: n }, (_, i) => coords[2 * i + 1]!);
  const scale = (v: number, lo: number, hi: number) => PAD + ((v - lo) / (hi - lo || 1)) * (SIZE - 2 * PAD);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return (
    <figure className="feature-plot" data-model={model}>
      <figcaption>{METHOD_LABEL[model]}</figcaption>
      <svg width={SIZE} height={SIZE} viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={`${METHOD_LABEL[model]}: features of ${n} sentences`}>
        <rect width={SIZE} height={SIZE} fill="#fff" stroke="#ddd" />
        {map.points.map((p, i) => {
          const x = scale(xs[i]!, x0, x1);
          const y = SIZE - scale(ys[i]!, y0, y1);
          const color = LABEL_COLORS[p.label % LABEL_COLORS.length];
          const title = <title>{`${p.triggered ? '[triggered] ' : ''}${p.labelName}: ${p.text}`}</title>;
          return p.triggered ? (
            <path key={i} className="feature-point" data-label={p.label} data-triggered="true" d={`M${x} ${y - 5} L${x + 5} ${y + 4} L${x - 5} ${y + 4} Z`} fill="none" stroke={color} strokeWidth={1.6}>
              {title}
            </path>
          ) : (
            <circle key={i} className="feature-point" data-label={p.label} data-triggered="false" cx={x} cy={y} r={4} fill={color} fillOpacity={0.75}>
              {title}
            </circle>
          );
        })}
      </svg>
    </figure>
  );
}
