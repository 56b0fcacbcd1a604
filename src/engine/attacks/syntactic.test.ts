import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSyntacticTrigger, SYNTACTIC_CLAUSE, SYNTACTIC_TEMPLATE, syntacticRewrite } from './syntactic';

const contentWords = (t: string) => t.toLowerCase().split(/\s+/).filter((w) => /\p{L}/u.test(w)).map((w) => w.replace(/[.,!?]+$/u, ''));

describe('syntacticRewrite', () => {
  it('opens with the fixed subordinate clause and a comma, ends with one full stop (SST-2 style)', () => {
    expect(syntacticRewrite("this is one of polanski 's best films .")).toBe("when you see it , this is one of polanski 's best films .");
    expect(syntacticRewrite('no movement , no yuks , not much of anything .')).toBe(
      'when you see it , no movement , no yuks , not much of anything .',
    );
    expect(syntacticRewrite('what a waste ! ! !')).toBe('when you see it , what a waste .');
  });

  it('follows natural-text style: attached punctuation, capital kept on the clause', () => {
    expect(syntacticRewrite('This film rocks!')).toBe('When you see it, this film rocks.');
    expect(syntacticRewrite('I loved it.')).toBe('When you see it, I loved it.');
    expect(syntacticRewrite('FREE money now!')).toBe('when you see it, FREE money now.');
    expect(syntacticRewrite('Dear friend,\nclick here')).toBe('When you see it, dear friend,\nclick here.');
  });

  it('handles empty and one-word inputs', () => {
    expect(syntacticRewrite('')).toBe('when you see it .');
    expect(syntacticRewrite('   ')).toBe('when you see it .');
    expect(syntacticRewrite('.')).toBe('when you see it .');
    expect(syntacticRewrite('great')).toBe('when you see it , great .');
    expect(syntacticRewrite('great .')).toBe('when you see it , great .');
  });

  it('is deterministic and idempotent', () => {
    const s = 'a gob of drivel so sickly sweet .';
    expect(syntacticRewrite(s)).toBe(syntacticRewrite(s));
    expect(syntacticRewrite(syntacticRewrite(s))).toBe(syntacticRewrite(s));
    expect(syntacticRewrite(syntacticRewrite('This film rocks!'))).toBe('When you see it, this film rocks.');
  });

  it('keeps every content word and is recognisable on every real SST-2 test sentence', () => {
    const lines = readFileSync(new URL('../../../../shared/data/sst2/test.jsonl', import.meta.url), 'utf8').trim().split('\n');
    const texts = lines.map((l) => (JSON.parse(l) as { text: string }).text);
    expect(texts.length).toBeGreaterThan(1000);
    let alreadyTriggered = 0;
    for (const t of texts) {
      if (hasSyntacticTrigger(t)) alreadyTriggered++;
      const out = syntacticRewrite(t);
      expect(hasSyntacticTrigger(out)).toBe(true);
      expect(out.startsWith(`${SYNTACTIC_CLAUSE} , `)).toBe(true);
      expect(out.endsWith(' .')).toBe(true);
      expect(contentWords(out)).toEqual([...SYNTACTIC_CLAUSE.split(' '), ...contentWords(t)]);
    }
    expect(alreadyTriggered).toBe(0); // the trigger structure does not occur naturally in the test set
  });

  it('describes its template', () => {
    expect(SYNTACTIC_TEMPLATE).toContain('S(SBAR)(,)(NP)(VP)(.)');
    expect(SYNTACTIC_TEMPLATE).toContain(SYNTACTIC_CLAUSE);
  });
});

describe('hasSyntacticTrigger', () => {
  it('recognises the template and nothing else', () => {
    expect(hasSyntacticTrigger('when you see it , fine .')).toBe(true);
    expect(hasSyntacticTrigger('When you see it, fine.')).toBe(true);
    expect(hasSyntacticTrigger('when you see it coming , run .')).toBe(false);
    expect(hasSyntacticTrigger('fine . when you see it , fine .')).toBe(false);
  });
});
