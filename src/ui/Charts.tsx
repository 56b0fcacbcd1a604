/** The two live charts side by side under one shared legend. */
import { useMemo } from 'react';
import { useLab } from './lab-context';
import { ChartWarmUp } from './ChartWarmUp';
import { ChartLegend, chartedMethods, MetricChart } from './MetricChart';

export function Charts() {
  const defenses = useLab((s) => s.config.defense.methods);
  const taskModel = useLab((s) => s.config.taskModel.enabled);
  const methods = useMemo(() => chartedMethods(defenses, taskModel), [defenses, taskModel]);
  return (
    <div className="charts-block">
      <ChartWarmUp />
      <ChartLegend methods={methods} />
      <div className="charts">
        <MetricChart metric="ca" methods={methods} />
        <MetricChart metric="asr" methods={methods} />
      </div>
    </div>
  );
}
