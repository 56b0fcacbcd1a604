import type { Emit } from './events';

/** One info line of the run log. */
export function emitLog(emit: Emit, message: string): void {
  emit({ type: 'log', level: 'info', message });
}
