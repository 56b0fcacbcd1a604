/**
 * The finished run's results exactly as the worker sent them, for scripts and the browser tests:
 * `window.__labResults` and a hidden JSON block.
 */
import { useEffect } from 'react';
import type { RunResults } from '../engine/events';
import { useLab } from './lab-context';

declare global {
  interface Window {
    __labResults?: RunResults;
  }
}

export function ResultsJson() {
  const results = useLab((s) => s.run.results);
  useEffect(() => {
    if (results) window.__labResults = results;
    else delete window.__labResults;
  }, [results]);
  if (!results) return null;
  return (
    <pre hidden data-testid="results-json">
      {JSON.stringify(results)}
    </pre>
  );
}
