/**
 * What the page's main thread spends on each of its tasks, read from Chromium's trace: the browser
 * tests' check that heavy work (parsing, training) stays off the thread that answers the user.
 *
 * Why the CPU time and not the wall time the Long Tasks API reports: on a 2-core machine shared with the
 * training worker, the build and the test runner, the OS can leave the page's thread waiting in the middle
 * of a task, and the wall time counts that wait. The old wall-time check failed about one full browser
 * run in seven (a task of 232–269 ms, over its 200 ms). Traced with training jobs on both cores, the
 * upload's tasks of up to 441 ms wall spent at most 64 ms on the CPU. Work done on the page's thread is
 * spent on the CPU whatever else runs: deserialising a 30 MB string there, the fault this check once
 * caught, held the thread for 200–260 ms.
 */
import type { CDPSession, Page } from '@playwright/test';

export interface MainThreadTask {
  wallMs: number;
  cpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Runs `during` while tracing the page; returns its result and every task of the page's main thread. */
export async function traceMainThread<T>(page: Page, during: () => Promise<T>): Promise<{ result: T; tasks: MainThreadTask[] }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  // `toplevel` holds one event per task of every thread, with its thread time (`tdur`), and little else.
  await cdp.send('Tracing.start', { categories: 'toplevel', transferMode: 'ReportEvents' });
  let result: T;
  try {
    result = await during();
  } finally {
    await stopTracing(cdp);
  }
  return { result, tasks: mainThreadTasks(events) };
}

async function stopTracing(cdp: CDPSession): Promise<void> {
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
}

/** The tasks of the renderer's main thread (named `CrRendererMain` in the trace's metadata). */
function mainThreadTasks(events: readonly TraceEvent[]): MainThreadTask[] {
  const mainThreads = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => e.tid));
  if (mainThreads.size === 0) throw new Error('the trace names no renderer main thread (CrRendererMain)');
  return events
    .filter((e) => mainThreads.has(e.tid) && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.dur !== undefined && e.tdur !== undefined)
    .map((e) => ({ wallMs: e.dur! / 1000, cpuMs: e.tdur! / 1000 }));
}

/** "longest 28 ms on the CPU (180 ms wall); longest wall 180 ms; 298 tasks": the line a test notes. */
export function describeTasks(tasks: readonly MainThreadTask[]): string {
  const longest = tasks.reduce<MainThreadTask | null>((a, t) => (a === null || t.cpuMs > a.cpuMs ? t : a), null);
  const longestWall = Math.max(0, ...tasks.map((t) => t.wallMs));
  if (longest === null) return 'no tasks';
  return `longest ${longest.cpuMs.toFixed(0)} ms on the CPU (${longest.wallMs.toFixed(0)} ms wall); longest wall ${longestWall.toFixed(0)} ms; ${tasks.length} tasks`;
}

/** The CPU times, in whole ms, of the tasks that held the thread longer than `limitMs`: none is the pass. */
export function cpuOver(tasks: readonly MainThreadTask[], limitMs: number): string[] {
  return tasks.filter((t) => t.cpuMs > limitMs).map((t) => t.cpuMs.toFixed(0));
}
