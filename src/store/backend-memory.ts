/**
 * The page's memory of backend measurements (`workers/measured-choice.ts`): read from this browser's
 * localStorage and handed to the worker at start, so a second visit chooses at once; a new measurement
 * the worker reports is written back. Storage that fails (private mode, a full quota) or holds
 * something else is treated as empty: the worker then measures again.
 */
import { isMeasurement, withMeasurement, type Measurement } from '../../workers/measured-choice';
import type { BackendReport } from '../../workers/protocol';

const STORAGE_KEY = 'w2s-backend-measurements';

type Store = Pick<Storage, 'getItem' | 'setItem'>;

/** The measurements kept in `storage`, each checked; anything unreadable is left out. */
export function readMeasurements(storage: Store | undefined): Measurement[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isMeasurement) : [];
  } catch {
    return [];
  }
}

/** Keeps the report's measurement when it was taken now (a remembered one is already kept). */
export function rememberMeasurement(storage: Store | undefined, report: BackendReport): void {
  const measured = report.measured;
  if (!storage || !measured || measured.remembered) return;
  const { remembered: _remembered, ...measurement } = measured;
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(withMeasurement(readMeasurements(storage), measurement)));
  } catch {
    // Private mode or a full quota: the next visit measures again.
  }
}
