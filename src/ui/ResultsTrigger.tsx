/**
 * Under the results table: how the run's tokenizer read the trigger and how much of it clean text
 * shares: what the model read, beside the ASR it made.
 */
import { useLab } from './lab-context';
import { TriggerReportLine } from './TriggerPieces';

export function ResultsTrigger() {
  const report = useLab((s) => s.run.results?.trigger);
  // Results saved before the report existed have none: nothing to say.
  if (!report) return null;
  return <TriggerReportLine report={report} testId="results-trigger" label="How the model read the trigger:" />;
}
