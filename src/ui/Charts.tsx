/**
 * The two live charts side by side under one shared legend, whose entries show or hide a method on both;
 * the paper's comparison is shown first, the floors on demand.
 */
import { useMemo, useState } from 'react';
import type { Method } from '../store/methods';
import { useLab } from './lab-context';
import { ChartWarmUp } from './ChartWarmUp';
import { ChartLegend, chartedMethods, LEAD_METHODS, MetricChart } from './MetricChart';

export function Charts() {
  const defenses = useLab((s) => s.config.defense.methods);
  const taskModel = useLab((s) => s.config.taskModel.enabled);
  const methods = useMemo(() => chartedMethods(defenses, taskModel), [defenses, taskModel]);
  // Methods the user hid or showed; everything else follows the lead set.
  const [choices, setChoices] = useState<ReadonlyMap<Method, boolean>>(new Map());
  const [showFloors, setShowFloors] = useState(false);
  const shown = useMemo(() => new Set(methods.filter((m) => choices.get(m) ?? LEAD_METHODS.includes(m))), [methods, choices]);
  const toggle = (m: Method) => setChoices((c) => new Map(c).set(m, !shown.has(m)));
  const visible = useMemo(() => methods.filter((m) => shown.has(m)), [methods, shown]);
  return (
    <div className="charts-block">
      <ChartWarmUp />
      <ChartLegend methods={methods} shown={shown} toggle={toggle} />
      <label className="floors-toggle">
        <input type="checkbox" data-testid="show-floors" checked={showFloors} onChange={(e) => setShowFloors(e.target.checked)} /> show each method’s ASR floor (the same sentences without the
        trigger)
      </label>
      <div className="charts">
        <MetricChart metric="ca" methods={visible} showFloors={false} />
        <MetricChart metric="asr" methods={visible} showFloors={showFloors} />
      </div>
    </div>
  );
}
