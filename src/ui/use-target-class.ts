/**
 * The attack's target class in words, "0 (ham)", for what the page says about the ASR: the finished
 * run's own (its config and the class names its data carried), else the one the current settings ask for.
 */
import { classWithName, knownLabelNames } from '../store/dataset-spec';
import { useLab } from './lab-context';

export function useTargetClass(): string {
  return useLab((s) => {
    const results = s.run.results;
    if (results) return classWithName(results.config.attack.targetLabel, results.data?.labelNames);
    return classWithName(s.config.attack.targetLabel, knownLabelNames(s.config.data.source, s.upload));
  });
}
