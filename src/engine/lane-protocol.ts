/**
 * The messages between the pipeline and a defense lane's engine (see defense-lanes.ts), and both ends
 * of them over any message port: `LaneHost` answers inside the lane, `openLaneOver` is the pipeline's
 * `DefenseLane`. The edges only carry messages — a worker thread in Node, a Web Worker in the browser —
 * and a test can join the two ends in one thread.
 */
import type { Emit, LabEvent } from './events';
import type { ShippedModels } from './models/checkpoint';
import type { DefenseLane, LaneOutcome, LaneSetup } from './defense-lanes';
import type { DefenseId } from './defenses/catalog';
import type { Screened } from './defenses/input-filter';
import { CancelledError } from './train/context';
import { openLaneEngine, type LaneEngine } from './lane-engine';
import { errorMessage } from './error-message';

export type LaneRequest =
  | { type: 'open'; setup: LaneSetup }
  | { type: 'run'; method: DefenseId }
  | { type: 'screen'; method: DefenseId; texts: readonly string[] }
  | { type: 'cancel' };

export type LaneMessage =
  | { type: 'opened' }
  | { type: 'event'; event: LabEvent }
  | { type: 'outcome'; outcome: LaneOutcome }
  | { type: 'screened'; verdicts: Screened[] }
  /** The open, a run or a screen failed; `cancelled` when a `cancel` stopped it. */
  | { type: 'failed'; message: string; cancelled: boolean };

/** The pipeline's end of a lane's transport. */
export interface LanePort {
  post(request: LaneRequest): void;
  /** Every message the lane sends, in order. */
  listen(listener: (message: LaneMessage) => void): void;
  /** The lane's thread died (an uncaught error, a failed start): its message. */
  onCrash(listener: (message: string) => void): void;
  terminate(): void;
}

/**
 * The lane's end: one engine per lane, opened once, then one repair per `run` or one chunk of a filter's
 * screening per `screen`. `ready` starts the lane's backend (and registers the engine's kernels) before
 * the engine is built.
 */
export class LaneHost {
  private engine: LaneEngine | undefined;
  private controller = new AbortController();

  constructor(private readonly deps: { post(message: LaneMessage): void; ready(): Promise<void>; shipped?: () => Promise<ShippedModels> }) {}

  async handle(request: LaneRequest): Promise<void> {
    if (request.type === 'cancel') return this.controller.abort();
    const emit = (event: LabEvent) => this.deps.post({ type: 'event', event });
    try {
      if (request.type === 'open') {
        await this.deps.ready();
        this.engine = await openLaneEngine(request.setup, { emit, ...(this.deps.shipped ? { shipped: this.deps.shipped } : {}) });
        return this.deps.post({ type: 'opened' });
      }
      if (!this.engine) throw new Error('the lane was not opened');
      this.controller = new AbortController();
      if (request.type === 'screen') return this.deps.post({ type: 'screened', verdicts: await this.engine.screen(request.method, request.texts, this.controller.signal) });
      this.deps.post({ type: 'outcome', outcome: await this.engine.run(request.method, this.controller.signal) });
    } catch (error) {
      this.deps.post({ type: 'failed', message: errorMessage(error), cancelled: error instanceof CancelledError });
    }
  }

  dispose(): void {
    this.engine?.dispose();
    this.engine = undefined;
  }
}

/**
 * Opens a lane over `port`: resolves once its engine holds the setup; its events go to `emit`, and
 * aborting `signal` stops the repair it runs. A crash fails whatever is waiting.
 */
export function openLaneOver(port: LanePort, setup: LaneSetup, emit: Emit, signal: AbortSignal): Promise<DefenseLane> {
  let waiting: { resolve(message: LaneMessage): void; reject(error: Error): void } | undefined;
  let crashed: string | undefined;
  const next = () =>
    new Promise<LaneMessage>((resolve, reject) => {
      if (crashed !== undefined) reject(new Error(crashed));
      else waiting = { resolve, reject };
    });
  port.listen((message) => {
    if (message.type === 'event') return emit(message.event);
    const w = waiting;
    waiting = undefined;
    w?.resolve(message);
  });
  port.onCrash((message) => {
    crashed = `the lane stopped: ${message}`;
    const w = waiting;
    waiting = undefined;
    w?.reject(new Error(crashed));
  });
  const onAbort = () => port.post({ type: 'cancel' });
  signal.addEventListener('abort', onAbort);
  const failure = (m: Extract<LaneMessage, { type: 'failed' }>) => (m.cancelled ? new CancelledError() : new Error(m.message));
  const close = () => {
    signal.removeEventListener('abort', onAbort);
    port.terminate();
  };
  /** One request, one answer of the kind expected (or the failure the lane reports). */
  const ask = async <K extends 'outcome' | 'screened'>(request: LaneRequest, kind: K): Promise<Extract<LaneMessage, { type: K }>> => {
    if (signal.aborted) throw new CancelledError();
    const reply = next();
    port.post(request);
    const m = await reply;
    if (m.type === kind) return m as Extract<LaneMessage, { type: K }>;
    if (m.type === 'failed') throw failure(m);
    throw new Error(`the lane answered "${m.type}" to a ${request.type}`);
  };
  const answer = next();
  port.post({ type: 'open', setup });
  return answer.then(
    (opened) => {
      if (opened.type !== 'opened') {
        close();
        throw opened.type === 'failed' ? failure(opened) : new Error(`the lane answered "${opened.type}" to its opening`);
      }
      return {
        run: async (method) => (await ask({ type: 'run', method }, 'outcome')).outcome,
        screen: async (method, texts) => (await ask({ type: 'screen', method, texts }, 'screened')).verdicts,
        close,
      };
    },
    (error: unknown) => {
      close();
      throw error;
    },
  );
}
