import { describe, expect, it } from 'vitest';
import { loadExtraCorpus } from './corpora';

describe('loadExtraCorpus', () => {
  it('gives nothing for none', () => {
    expect(loadExtraCorpus('none')).toEqual([]);
  });

  it('reads Moby-Dick as sentence-sized chunks, in the book order', () => {
    const chunks = loadExtraCorpus('moby-dick');
    expect(chunks.length).toBeGreaterThan(5000);
    expect(chunks.some((c) => c.startsWith('Call me Ishmael.'))).toBe(true);
    for (const c of chunks.slice(0, 2000)) expect(c.split(' ').length).toBeLessThanOrEqual(30);
  });

  it('reads the State of the Union addresses, oldest first', () => {
    const chunks = loadExtraCorpus('sotu', { maxWords: 20 });
    expect(chunks[0]).toMatch(/^Fellow-Citizens of the Senate and House of Representatives/);
    expect(chunks.length).toBeGreaterThan(50_000);
    expect(Math.max(...chunks.slice(0, 5000).map((c) => c.split(' ').length))).toBeLessThanOrEqual(20);
  });

  it('names the choices for an unknown corpus', () => {
    expect(() => loadExtraCorpus('bible' as 'none')).toThrow(/unknown extra corpus "bible"; choose none, moby-dick or sotu/);
  });
});
