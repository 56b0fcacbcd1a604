/**
 * How many threads the WASM backend gets, and the badge's sentence about it. tfjs picks its threaded
 * SIMD binary by itself when the platform allows it (SharedArrayBuffer, which needs a cross-origin
 * isolated page, plus WebAssembly threads and SIMD); this module decides the count and says why a run
 * is single-threaded, so a slow laptop is explained rather than guessed at.
 */

export interface WasmPlatform {
  /** `crossOriginIsolated`: the page was served with COOP + COEP (or re-served so by the service worker). */
  isolated: boolean;
  /** tfjs' `WASM_HAS_MULTITHREAD_SUPPORT`: SharedArrayBuffer can be posted and atomics validate. */
  threadsSupported: boolean;
  simdSupported: boolean;
  /** `navigator.hardwareConcurrency`. */
  cores: number;
  /** `?threads=`, for benchmarks. */
  requested?: string | undefined;
}

interface WasmThreadPlan {
  /** What to pass to `setThreadsCount` before the backend starts; 0 leaves tfjs' default. */
  threads: number;
  /** The badge's note, given the count the started backend reports (`getThreadsCount`). */
  describe(actual: number): string;
}

/** tfjs' threaded binary preallocates 8 pthreads; more than that would spawn workers mid-step. */
export const MAX_WASM_THREADS = 8;

/**
 * One thread per logical core but one, which the page, the browser and its GPU process need. Measured
 * (`npm run bench:threads`, 2-core machine, Chromium): 2 threads gave 0.61–0.79× the samples/s of 1 on
 * the quick preset's shapes and 0.89–1.27× at the paper presets' — XNNPACK's pool spins and syncs per
 * op, which small matrices and a busy second core do not repay. So a 2-core laptop runs 1 thread.
 */
function defaultThreads(cores: number): number {
  return Math.min(Math.max(1, cores - 1), MAX_WASM_THREADS);
}

export function wasmThreadPlan(p: WasmPlatform): WasmThreadPlan {
  const threaded = p.threadsSupported && p.simdSupported;
  const why = singleThreadReason(p);
  const requested = p.requested === undefined ? undefined : Number(p.requested);
  const valid = requested !== undefined && Number.isInteger(requested) && requested >= 1;
  const threads = !threaded ? 0 : valid ? Math.min(requested, MAX_WASM_THREADS) : defaultThreads(p.cores);
  const ignored = requested !== undefined && !valid ? ` (?threads=${p.requested} ignored: give a whole number ≥ 1)` : '';
  return {
    threads,
    describe(actual) {
      if (!threaded) return `WASM, 1 thread: ${why}${ignored}`;
      const plural = actual === 1 ? 'thread' : 'threads';
      const capped = valid && requested > MAX_WASM_THREADS ? ` (capped at ${MAX_WASM_THREADS})` : '';
      return `WASM, ${actual} ${plural} (threaded SIMD binary, ${p.cores} logical cores)${capped}${ignored}`;
    },
  };
}

function singleThreadReason(p: WasmPlatform): string {
  if (!p.isolated) {
    return 'the page is not cross-origin isolated, so there is no SharedArrayBuffer (the host must send COOP same-origin + COEP require-corp, or let the lab\'s service worker add them: reload once)';
  }
  if (!p.threadsSupported) return 'this browser has no WebAssembly threads';
  if (!p.simdSupported) return 'this browser has no WebAssembly SIMD, which tfjs\' threaded binary needs';
  return '';
}

/**
 * Runs `fn` while `nav.hardwareConcurrency` reports `cores`, then puts the real value back. tfjs'
 * threaded binary caps its thread pool at half of `navigator.hardwareConcurrency`, on the assumption that
 * every core is hyperthreaded — so on a 2-core laptop it runs one thread whatever `setThreadsCount`
 * asks. It reads the count once, while the module instantiates; reporting twice the wanted threads for
 * that moment makes `setThreadsCount` the real limit. `cores` undefined: no change.
 */
export async function withLogicalCores<T>(nav: object, cores: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (cores === undefined) return fn();
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  try {
    return await fn();
  } finally {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
