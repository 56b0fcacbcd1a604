/** Keep and share a finished run: results as JSON and CSV, each chart as SVG and PNG. */
import { configJson, resultsCsv, resultsJson } from '../store/exports';
import { chartSvg, downloadBlob, downloadText, svgToPng } from './download';
import { useLab } from './lab-context';
import { errorMessage } from '../engine/error-message';

const CHARTS = [
  { metric: 'ca', title: 'CA' },
  { metric: 'asr', title: 'ASR' },
] as const;

export function ExportBar() {
  const results = useLab((s) => s.run.results);
  const setError = useLab((s) => s.setError);
  if (!results) return null;
  const stem = `w2s-${results.config.data.source}-${results.config.attack.kind}-seed${results.config.seed}`;
  const chart = async (metric: 'ca' | 'asr', format: 'svg' | 'png') => {
    try {
      const figure = document.querySelector(`[data-testid="chart-${metric}"]`);
      if (!figure) throw new Error('the chart is not on the page');
      const { svg, width, height } = chartSvg(figure);
      const name = `${stem}-${metric}.${format}`;
      if (format === 'svg') downloadText(name, svg, 'image/svg+xml');
      else downloadBlob(name, await svgToPng(svg, width, height));
    } catch (error) {
      setError(`Could not export the ${metric.toUpperCase()} chart: ${errorMessage(error)}`);
    }
  };
  return (
    <div className="exports" role="group" aria-label="Export the results">
      <button type="button" data-testid="export-json" onClick={() => downloadText(`${stem}.json`, resultsJson(results), 'application/json')}>
        Results JSON
      </button>
      <button type="button" data-testid="export-csv" onClick={() => downloadText(`${stem}.csv`, resultsCsv(results), 'text/csv')}>
        Results CSV
      </button>
      <button type="button" data-testid="export-run-config" onClick={() => downloadText(`${stem}-config.json`, configJson(results.config), 'application/json')}>
        Run’s config
      </button>
      {CHARTS.map(({ metric, title }) =>
        (['svg', 'png'] as const).map((format) => (
          <button key={metric + format} type="button" data-testid={`export-chart-${metric}-${format}`} onClick={() => void chart(metric, format)}>
            {title} chart {format.toUpperCase()}
          </button>
        )),
      )}
    </div>
  );
}
