/**
 * The charts' hover box: at the epoch under the pointer, each method shown, named as the legend names
 * it, with its CA, ASR and ASR floor, and the clean-model floor once the task stage has ended. Both
 * charts show the same box, so a reader never has to match a point on one chart to the other. The
 * exact final numbers stay in the results table, which keyboard and screen-reader users read too.
 */
import type { Method } from '../store/methods';
import { tooltipRows } from './chart-tooltip-rows';
import { percent } from './format';
import { useLab } from './lab-context';
import { METHOD_COLOR, METHOD_LABEL } from './method-style';

interface Props {
  /** Recharts' active label: the epoch under the pointer. */
  label?: string | number;
  active?: boolean;
  methods: readonly Method[];
}

export function ChartTooltip({ label, active, methods }: Props) {
  const series = useLab((s) => s.run.series);
  const finals = useLab((s) => s.run.finals);
  const cleanFloor = useLab((s) => s.run.floors?.cleanModelAsr ?? null);
  const epoch = Number(label);
  if (!active || !Number.isInteger(epoch)) return null;
  const rows = tooltipRows(epoch, methods, { series, finals });
  if (rows.length === 0) return null;
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip" data-epoch={epoch}>
      <p className="chart-tooltip-title">{epoch === 0 ? 'Epoch 0 (each defense starts from the poisoned model)' : `Epoch ${epoch}`}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">CA</th>
            <th scope="col">ASR</th>
            <th scope="col">floor</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.method} data-method={r.method}>
              <th scope="row">
                <span className="swatch" style={{ background: METHOD_COLOR[r.method] }} />
                {METHOD_LABEL[r.method]}
                {r.flat ? ' (after screening)' : ''}
              </th>
              <td>{percent(r.ca)}</td>
              <td>{percent(r.asr)}</td>
              <td>{r.asrBase === undefined ? '—' : percent(r.asrBase)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="chart-tooltip-note">
        floor: the same sentences without the trigger.
        {cleanFloor !== null && ` Clean-model floor ${percent(cleanFloor)}: the clean task model’s ASR on the same triggered sentences.`}
      </p>
    </div>
  );
}
