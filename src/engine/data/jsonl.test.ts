import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors';
import { parseJsonl } from './jsonl';

describe('parseJsonl', () => {
  it('reads SetFit lines: text, label and label_text', () => {
    const text = readFileSync(new URL('../../../../shared/data/sst2/dev.jsonl', import.meta.url), 'utf8');
    const rows = parseJsonl(text, 'dev.jsonl');
    expect(rows).toHaveLength(872);
    expect(rows[0]).toMatchObject({ label: expect.any(Number), labelText: expect.stringMatching(/^(positive|negative)$/) });
    expect(typeof rows[0]!.text).toBe('string');
  });

  it('skips blank lines, tolerates CRLF and a byte-order mark, and accepts field aliases', () => {
    const rows = parseJsonl('\ufeff{"sentence": "a", "label": 0}\r\n\r\n   \n{"text": "b", "category": "news"}\n');
    expect(rows).toMatchObject([
      { text: 'a', label: 0 },
      { text: 'b', label: 'news' },
    ]);
  });

  it('names the file and line of a malformed line', () => {
    const bad = '{"text": "ok", "label": 1}\n\n{"text": "broken", "label": 1\n';
    expect(() => parseJsonl(bad, 'train.jsonl')).toThrow(DatasetError);
    expect(() => parseJsonl(bad, 'train.jsonl')).toThrow(/^train\.jsonl line 3: not valid JSON/);
  });

  it('rejects a line that is not an object', () => {
    expect(() => parseJsonl('[1, 2]', 'f.jsonl')).toThrow(/f\.jsonl line 1: expected a JSON object.*an array/);
  });

  it('names the missing field and lists what the line has', () => {
    expect(() => parseJsonl('{"label": 1, "id": 4}', 'f.jsonl')).toThrow(/f\.jsonl line 1: no text field; expected one of text, sentence.*\(found: label, id\)/);
    expect(() => parseJsonl('{"text": "x"}', 'f.jsonl')).toThrow(/f\.jsonl line 1: no label field/);
  });

  it('rejects a label that is neither a number nor a non-empty string', () => {
    expect(() => parseJsonl('{"text": "x", "label": null}', 'f.jsonl')).toThrow(/line 1: "label" must be a class index \(0, 1, …\) or a class name, got null/);
    expect(() => parseJsonl('{"text": 3, "label": 1}', 'f.jsonl')).toThrow(/"text" must be a string/);
  });

  it('uses label_text as the label when it is the only label field', () => {
    expect(parseJsonl('{"text": "x", "label_text": "pos"}')).toMatchObject([{ text: 'x', label: 'pos' }]);
  });
});
