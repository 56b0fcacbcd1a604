/**
 * Screening ahead (early-screening.ts) with scripted lanes: lanes open without the attacked models, take
 * chunks longest first from one queue, `finish` closes them at once and hands back only what came back
 * before it; a lane that fails or cannot open costs its share and a warning, not the run.
 */
import { describe, expect, it } from 'vitest';
import type { LabEvent } from './events';
import type { DefenseLane, LaneFactory, LaneSetup } from './defense-lanes';
import type { Screened } from './defenses/input-filter';
import { SCREEN_CHUNK } from './defenses/shared-screening';
import { screenEarly } from './early-screening';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const until = async (done: () => boolean) => {
  for (let i = 0; i < 2000 && !done(); i++) await tick();
};

/** Lanes that upper-case what they screen, after `ticks` ticks per chunk; `broken` lanes fail as told. */
function lanes(count: number, log: { opened: LaneSetup[]; chunks: string[][]; closed: number }, opts: { ticks?: number; failOpen?: number; failScreen?: number } = {}): LaneFactory {
  let opened = 0;
  return {
    count,
    async open(setup) {
      const index = opened++;
      if (index === opts.failOpen) throw new Error('no worker');
      log.opened.push(setup);
      const lane: DefenseLane = {
        run: () => Promise.reject(new Error('screens only')),
        async screen(_method, texts) {
          for (let i = 0; i < (opts.ticks ?? 1); i++) await tick();
          if (index === opts.failScreen) throw new Error('lane broke');
          log.chunks.push([...texts]);
          return texts.map((t): Screened => ({ text: t.toUpperCase(), flagged: false, rejected: false, note: '' }));
        },
        close: () => void log.closed++,
      };
      return lane;
    },
  };
}

const setup = { config: {} as never, dataset: {} as never, pretrainedLm: {} };
/** Texts of 1…n words in a fixed shuffled order. */
const texts = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: ((i * 7) % n) + 1 }, (_, w) => `w${i}_${w}`).join(' '));

describe('screenEarly', () => {
  it('screens every text once, longest first, on lanes opened without the attacked models', async () => {
    const log = { opened: [] as LaneSetup[], chunks: [] as string[][], closed: 0 };
    const all = texts(30);
    const events: LabEvent[] = [];
    const early = screenEarly('onion', all, lanes(2, log), setup, (e) => events.push(e));
    await until(() => log.closed === 2);
    expect(log.chunks.flat()).toHaveLength(all.length); // the lanes close once out of texts, before finish
    const verdicts = early.finish();
    expect(log.opened).toHaveLength(2);
    expect(log.opened.every((s) => s.models === undefined)).toBe(true);
    expect([...verdicts.keys()].sort()).toEqual([...all].sort());
    for (const [text, v] of verdicts) expect(v.text).toBe(text.toUpperCase());
    expect(log.chunks.every((c) => c.length <= SCREEN_CHUNK)).toBe(true);
    // The queue hands out the longest texts first.
    const lengths = log.chunks.flat().map((t) => t.split(' ').length);
    expect(lengths[0]).toBe(30);
    expect(lengths.slice(0, 8).every((n) => n >= 23)).toBe(true);
    expect(log.closed).toBe(2);
    expect(events.some((e) => e.type === 'log' && e.message.includes('2 more engine(s) screen its 30 texts'))).toBe(true);
  });

  it('finish closes the lanes at once and keeps only the verdicts that came back before it', async () => {
    const log = { opened: [] as LaneSetup[], chunks: [] as string[][], closed: 0 };
    const all = texts(40);
    const early = screenEarly('onion', all, lanes(1, log, { ticks: 5 }), setup, () => {});
    await until(() => log.chunks.length === 2);
    const verdicts = early.finish();
    expect(log.closed).toBe(1);
    expect(verdicts.size).toBe(2 * SCREEN_CHUNK);
    for (let i = 0; i < 20; i++) await tick(); // the chunk in flight comes back after finish: dropped
    expect(verdicts.size).toBe(2 * SCREEN_CHUNK);
    expect(early.finish().size).toBe(2 * SCREEN_CHUNK); // finishing again changes nothing
  });

  it('a lane that cannot open or that fails costs its share and a warning; the others screen the rest', async () => {
    const log = { opened: [] as LaneSetup[], chunks: [] as string[][], closed: 0 };
    const all = texts(24);
    const events: LabEvent[] = [];
    const early = screenEarly('onion', all, lanes(3, log, { failOpen: 0, failScreen: 1 }), setup, (e) => events.push(e));
    await until(() => log.chunks.flat().length === all.length);
    const verdicts = early.finish();
    expect([...verdicts.keys()].sort()).toEqual([...all].sort());
    const warnings = events.filter((e) => e.type === 'log' && e.level === 'warn').map((e) => (e.type === 'log' ? e.message : ''));
    expect(warnings).toHaveLength(2);
    expect(warnings.some((m) => m.includes('no worker'))).toBe(true);
    expect(warnings.some((m) => m.includes('lane broke'))).toBe(true);
  });
});
