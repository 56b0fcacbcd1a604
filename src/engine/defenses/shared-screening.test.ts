/**
 * Sharing a filter's screening between engines (shared-screening.ts), with scripted screens: every text
 * is screened once, the verdicts come back in the order given, long texts go first, and a helper that
 * fails hands its chunk back.
 */
import { describe, expect, it } from 'vitest';
import type { Screened } from './input-filter';
import { SCREEN_CHUNK, screenShared, type ScreenChunk, type ScreenHelpers } from './shared-screening';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** A screen that names its engine in each verdict and logs each chunk it took. */
function engine(name: string, log: string[][], opts: { ticks?: number; failOn?: number } = {}): ScreenChunk {
  let calls = 0;
  return async (texts) => {
    calls++;
    for (let i = 0; i < (opts.ticks ?? 1); i++) await tick();
    if (calls === opts.failOn) throw new Error(`${name} broke`);
    log.push([name, ...texts]);
    return texts.map((text): Screened => ({ text: text.toUpperCase(), flagged: false, rejected: false, note: name }));
  };
}

/** Lends the given screens at once, as lanes already idle when the filter starts. */
function lending(screens: ScreenChunk[]): ScreenHelpers {
  return {
    lend(work) {
      const running = screens.map((s) => work(s).catch(() => {}));
      return async () => void (await Promise.all(running));
    },
  };
}

/** Texts of 1…n words, shuffled by a fixed permutation. */
const texts = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: ((i * 7) % n) + 1 }, (_, w) => `w${i}_${w}`).join(' '));

describe('screenShared', () => {
  it('alone, screens every text once, longest first, and gives the verdicts in the order given', async () => {
    const log: string[][] = [];
    const all = texts(20);
    const progress: number[] = [];
    const { verdicts, elsewhere } = await screenShared(all, engine('here', log), undefined, (done) => progress.push(done));
    expect(verdicts.map((v) => v.text)).toEqual(all.map((t) => t.toUpperCase()));
    expect(elsewhere).toBe(0);
    const screened = log.flatMap(([, ...chunk]) => chunk);
    expect([...screened].sort()).toEqual([...all].sort());
    expect(log.every((chunk) => chunk.length - 1 <= SCREEN_CHUNK)).toBe(true);
    // Longest first: word counts never rise along the order the chunks were taken in.
    const lengths = screened.map((t) => t.split(' ').length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    expect(progress).toEqual([8, 16, 20]);
  });

  it('with helpers, every engine takes chunks from one queue; the verdicts are the same, each text screened once', async () => {
    const log: string[][] = [];
    const all = texts(50);
    const { verdicts, elsewhere } = await screenShared(all, engine('here', log, { ticks: 3 }), lending([engine('lane1', log), engine('lane2', log)]));
    expect(verdicts.map((v) => v.text)).toEqual(all.map((t) => t.toUpperCase()));
    const by = (name: string) => log.filter(([n]) => n === name).flatMap(([, ...chunk]) => chunk);
    expect(by('here').length + by('lane1').length + by('lane2').length).toBe(50);
    expect(elsewhere).toBe(by('lane1').length + by('lane2').length);
    // The lanes are three times as fast as here, so they take most of the chunks.
    expect(elsewhere).toBeGreaterThan(25);
    expect(verdicts.filter((v) => v.note !== 'here')).toHaveLength(elsewhere);
  });

  it('a helper that fails hands its chunk back, and this engine screens it', async () => {
    const log: string[][] = [];
    const all = texts(30);
    // The lane fails on its second chunk, while here is still busy with its first.
    const { verdicts } = await screenShared(all, engine('here', log, { ticks: 10 }), lending([engine('lane', log, { failOn: 2 })]));
    expect(verdicts.map((v) => v.text)).toEqual(all.map((t) => t.toUpperCase()));
    const screened = log.flatMap(([, ...chunk]) => chunk);
    expect(screened).toHaveLength(30);
    expect(log.filter(([n]) => n === 'lane')).toHaveLength(1);
  });

  it('a failure here is thrown once every helper has finished the chunk it holds, and no more chunks go out', async () => {
    const log: string[][] = [];
    let lanesDone = false;
    const helpers: ScreenHelpers = {
      lend(work) {
        const running = work(engine('lane', log, { ticks: 5 })).finally(() => (lanesDone = true));
        return async () => void (await running);
      },
    };
    await expect(screenShared(texts(40), engine('here', log, { failOn: 1 }), helpers)).rejects.toThrow('here broke');
    expect(lanesDone).toBe(true);
    expect(log.filter(([n]) => n === 'lane')).toHaveLength(1);
  });
});
