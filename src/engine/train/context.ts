import type { Emit } from '../events';

/** What every stage needs from the run around it. */
export interface StageContext {
  emit: Emit;
  signal?: AbortSignal;
}

export class CancelledError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Let queued messages (a cancel, a predict request) run between steps. tfjs' `data()` on the CPU and
 * WASM backends resolves as a microtask, which never lets a worker's `onmessage` in.
 */
/**
 * Where a long loop lets waiting messages in (a cancel, a predict request) and then stops if the run was
 * cancelled. On WASM a tensor read resolves without leaving the task, so a loop of reads alone would keep
 * a cancel click waiting until the loop ends.
 */
export async function cancellationPoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  throwIfCancelled(signal);
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
