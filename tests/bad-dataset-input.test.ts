/**
 * The table of malformed dataset files, as a student would find them: each row goes through the
 * same path as an upload (`parseUploadedFile`) or a `--data DIR` run (`loadDataDir`) and must either be
 * refused with one message that names the file, the line or field, and the fix, or be read with a notice
 * that says what the lab did with it. A message never echoes a whole 20 MB line.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataDir } from '../src/cli/node-data';
import { DatasetError } from '../src/engine/data/errors';
import type { Dataset } from '../src/engine/data/types';
import { checkUploadSize, MAX_UPLOAD_BYTES, parseUploadedFile } from '../src/engine/data/upload';

/** `n` JSONL rows alternating two classes, so a file is otherwise fine. */
function jsonl(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ text: `review number ${i} of the film`, label: i % 2, ...extra(i) })).join('\n');
}
function csv(n: number, header = 'text,label', row = (i: number) => `review number ${i},${i % 2}`): string {
  return [header, ...Array.from({ length: n }, (_, i) => row(i))].join('\n');
}
/** A fine file of 40 rows with one bad line put in at line 3. */
function withBadLine(line: string): string {
  const lines = jsonl(40).split('\n');
  lines.splice(2, 0, line);
  return lines.join('\n');
}

type Expect = { error: RegExp } | { notice: RegExp; check?: (ds: Dataset) => void };

const UPLOADS: [string, string, string, Expect][] = [
  ['an empty JSONL file', 'empty.jsonl', '', { error: /^empty\.jsonl is empty; a dataset file needs a row per example/ }],
  ['an empty CSV file', 'empty.csv', '', { error: /^empty\.csv is empty/ }],
  ['a file of blank lines', 'blank.tsv', '\n\n  \r\n\t\n', { error: /^blank\.tsv is empty/ }],
  ['a CSV with only its header', 'header.csv', 'text,label\n', { error: /^header\.csv: no rows found; the file is empty or only has a header/ }],
  ['a CSV without a header row', 'nohead.csv', csv(20).split('\n').slice(1).join('\n'), { error: /^nohead\.csv: no text column \(text, sentence.*columns found: review number 0, 0\. The first row must name the columns/ }],
  ['a CSV without a label column', 'nolabel.csv', csv(20, 'text', (i) => `film ${i}`), { error: /^nolabel\.csv: no label column \(label, labels, class.*columns found: text/ }],
  ['a CSV with semicolons between columns', 'excel.csv', csv(20, 'text;label', (i) => `film ${i};${i % 2}`), { error: /no text column.*separate columns with ";": save it with commas, or as TSV/ }],
  ['a CSV row with an extra column', 'extra.csv', `${csv(10)}\nbad row,1,surplus\n${csv(10).split('\n').slice(1).join('\n')}`, { error: /^extra\.csv row 11 \(after the header\): Too many fields.*every row has 2 columns/ }],
  ['a CSV row missing its label column', 'short.csv', `${csv(10)}\nonly text here\n`, { error: /^short\.csv row 11 \(after the header\): Too few fields/ }],
  ['a CSV with an unclosed quote', 'quote.csv', `text,label\n"never closed,1\nfine,0\n`, { error: /^quote\.csv row \d \(after the header\):.*quot.*check the quoting/i }],
  ['a TSV without a text column', 'cols.tsv', 'sentence_a\tlabel\nx\t0\n', { error: /^cols\.tsv: no text column.*columns found: sentence_a, label/ }],
  ['a CSV row with an empty label', 'nolab.csv', `${csv(5)}\nsome text,\n`, { error: /^nolab\.csv row 6 \(after the header\): the "label" cell is empty; every row needs a label/ }],
  ['a CSV row with an empty text', 'notext.csv', `${csv(5)}\n  ,1\n`, { error: /^notext\.csv row 6 \(after the header\): the "text" cell is empty/ }],
  ['a CSV with label 0.5', 'half.csv', csv(20, 'text,label', (i) => `film ${i},${i === 7 ? '0.5' : i % 2}`), { error: /^half\.csv row 8 \(after the header\): label "0\.5" is not a whole number; labels must be class indices 0, 1, …, K-1, or class names/ }],
  ['a CSV with label -1', 'neg.csv', csv(20, 'text,label', (i) => `film ${i},${i % 2 === 0 ? '-1' : '1'}`), { error: /^neg\.csv row 1 \(after the header\): label -1 is negative; labels must be class indices/ }],
  ['a JSONL with labels -1 and 1', 'pm.jsonl', jsonl(20, (i) => ({ label: i % 2 ? 1 : -1 })), { error: /^pm\.jsonl line 1: label -1 is negative; labels must be class indices 0, 1, …, K-1, or class names such as "neg"\/"pos"/ }],
  ['a JSONL with label 0.5', 'frac.jsonl', withBadLine('{"text": "meh", "label": 0.5}'), { error: /^frac\.jsonl line 3: label 0\.5 is not a whole number/ }],
  ['a JSONL with labels 1 and 2 (no class 0)', 'onebased.jsonl', jsonl(20, (i) => ({ label: 1 + (i % 2) })), { error: /the labels are 1, 2, so class 0 has no example; labels must be class indices/ }],
  ['a JSONL with labels 0 and 5', 'gap.jsonl', jsonl(20, (i) => ({ label: i % 2 ? 5 : 0 })), { error: /the labels are 0, 5, so classes 1, 2, 3, 4 have no example/ }],
  ['a JSONL with label 1e3', 'big.jsonl', jsonl(20, (i) => ({ label: i % 2 ? 1000 : 0 })), { error: /the labels are 0, 1000, so classes 1, 2, 3, 4, 5 have no example/ }],
  ['a JSONL mixing indices and names', 'mixed.jsonl', jsonl(20, (i) => ({ label: i === 5 ? 'pos' : i % 2 })), { error: /^mixed\.jsonl line 1 has label 0 but mixed\.jsonl line 6 has label "pos": a file uses class indices \(0, 1, …\) or class names, not both/ }],
  ['a JSONL with a boolean label', 'bool.jsonl', withBadLine('{"text": "x", "label": true}'), { error: /^bool\.jsonl line 3: "label" must be a class index \(0, 1, …\) or a class name, got true/ }],
  ['a JSONL with a null label', 'nulllab.jsonl', withBadLine('{"text": "x", "label": null}'), { error: /^nulllab\.jsonl line 3: "label" must be a class index.*got null/ }],
  ['a JSONL with an object label', 'objlab.jsonl', withBadLine('{"text": "x", "label": {"a": 1}}'), { error: /^objlab\.jsonl line 3: "label" must be a class index.*got \{"a":1\}/ }],
  ['a JSONL with an empty-string label', 'emptylab.jsonl', withBadLine('{"text": "x", "label": "  "}'), { error: /^emptylab\.jsonl line 3: "label" must be a class index/ }],
  ['a JSONL line without a label', 'nolab.jsonl', withBadLine('{"text": "x"}'), { error: /^nolab\.jsonl line 3: no label field; expected one of label, labels, class.*\(found: text\)/ }],
  ['a JSONL line without a text', 'notext.jsonl', withBadLine('{"label": 1}'), { error: /^notext\.jsonl line 3: no text field; expected one of text, sentence.*\(found: label\)/ }],
  ['a JSONL with a null text', 'nulltext.jsonl', withBadLine('{"text": null, "label": 1}'), { error: /^nulltext\.jsonl line 3: "text" must be a string, got null; put the text in quotes/ }],
  ['a JSONL with a numeric text', 'numtext.jsonl', withBadLine('{"text": 42, "label": 1}'), { error: /^numtext\.jsonl line 3: "text" must be a string, got 42/ }],
  ['a JSONL with an empty text', 'emptytext.jsonl', withBadLine('{"text": "   ", "label": 1}'), { error: /^emptytext\.jsonl line 3: "text" is empty; remove the row or fill it in/ }],
  ['a JSONL with a line that is not JSON', 'broken.jsonl', withBadLine('{"text": "unterminated, "label": 1'), { error: /^broken\.jsonl line 3: not valid JSON \(.*\); each line must be one JSON object like/ }],
  ['a JSONL with a line that is an array', 'arr.jsonl', withBadLine('["x", 1]'), { error: /^arr\.jsonl line 3: expected a JSON object like .*, got an array/ }],
  ['a JSONL with a line that is a number', 'num.jsonl', withBadLine('7'), { error: /^num\.jsonl line 3: expected a JSON object like .*, got 7/ }],
  ['a .json file that is an object, not an array', 'obj.json', '{"text": "x", "label": 1}', { error: /^obj\.json: expected an array of \{"text", "label"\} objects; for one object per line, name the file \.jsonl/ }],
  ['a .json file that is not JSON', 'bad.json', '[{"text": "x", "label": 1},', { error: /^bad\.json: not valid JSON/ }],
  ['a .json array with a string item', 'items.json', JSON.stringify([{ text: 'a', label: 0 }, 'b']), { error: /^items\.json item 2: expected an object like/ }],
  ['a Parquet file', 'data.parquet', 'PAR1....', { error: /^data\.parquet: parquet files are not read here; save it as JSONL or CSV/ }],
  ['binary garbage with NUL bytes', 'garbage.csv', `text,label\n${'\u0000\u0001\u0002'.repeat(50)}`, { error: /^garbage\.csv is not a text file \(it looks like binary data \(it holds NUL bytes\)\); save it as CSV \(UTF-8\) or JSONL/ }],
  ['an Excel workbook renamed .csv', 'book.csv', `PK\u0003\u0004${'\u0014\u0000'.repeat(20)}`, { error: /^book\.csv is not a text file \(it looks like a zip archive, such as an Excel \.xlsx workbook\)/ }],
  ['a PDF', 'paper.txt', '%PDF-1.7\n%âãÏÓ\n1 0 obj', { error: /^paper\.txt is not a text file \(it looks like a PDF\)/ }],
  ['Latin-1 text read as UTF-8', 'latin1.csv', `text,label\n${'caf\ufffd \ufffd\ufffd,1\n'.repeat(40)}`, { error: /not a text file \(it looks like binary data, or text in an encoding other than UTF-8\)/ }],
  ['a file with a single class', 'oneclass.jsonl', jsonl(30, () => ({ label: 'pos' })), { error: /has one label \(pos\); a classifier needs at least two/ }],
  ['two rows', 'two.jsonl', jsonl(2), { error: /^two\.jsonl: 2 rows are too few to cut a dev and a test split from; give at least 3 examples of each class/ }],
  ['a 20 MB line that never closes', 'huge.jsonl', `{"text": "${'a'.repeat(20 * 2 ** 20)}`, { error: /^huge\.jsonl line 1: not valid JSON \(/ }],
  // Read, with a notice: what the lab did is said, never silent.
  ['a byte-order mark and CRLF line ends (JSONL)', 'bom.jsonl', `\ufeff${jsonl(40).replace(/\n/g, '\r\n')}\r\n`, { notice: /very small/, check: (ds) => expect(ds.train.length + ds.dev.length + ds.test.length).toBe(40) }],
  ['a byte-order mark and CRLF line ends (CSV)', 'bom.csv', `\ufeff${csv(40).replace(/\n/g, '\r\n')}\r\n`, { notice: /very small/, check: (ds) => expect(ds.labelNames).toEqual(['0', '1']) }],
  ['class names instead of indices', 'names.csv', csv(40, 'review,sentiment', (i) => `film ${i},${i % 2 ? 'pos' : 'neg'}`), { notice: /^labels read as class names and numbered in sorted order: "neg" → 0, "pos" → 1$/ }],
  ['six rows: three per class', 'six.jsonl', jsonl(6), { notice: /^dataset "six" is very small: 2 training examples \(0: 1, 1: 1\); the run works, but CA and ASR will swing/ }],
  ['a 20 MB single line among ordinary ones', 'long.jsonl', `${JSON.stringify({ text: 'x'.repeat(20 * 2 ** 20), label: 1 })}\n${jsonl(400)}`, { notice: /^1 text longer than 20,000 characters was cut to that length/, check: (ds) => expect(Math.max(...ds.train.map((e) => e.text.length))).toBe(20_000) }],
  ['a file of 100 k rows', 'big.jsonl', jsonl(100_000), { notice: /^$|.*/, check: (ds) => expect(ds.train.length + ds.dev.length + ds.test.length).toBe(100_000) }],
  ['HTML in texts and label names', 'html.csv', csv(40, 'text,label', (i) => `<img src=x onerror=alert(${i})>,<b>${i % 2}</b>`), { notice: /"<b>0<\/b>" → 0, "<b>1<\/b>" → 1/, check: (ds) => expect(ds.train[0]!.text).toMatch(/^<img src=x onerror=alert\(\d+\)>$/) }],
];

describe('a malformed dataset file gets one clear message (upload path)', () => {
  it.each(UPLOADS)('%s', (_what, fileName, content, expected) => {
    let dataset: Dataset | undefined;
    let error: unknown;
    try {
      dataset = parseUploadedFile(fileName, content, 1);
    } catch (e) {
      error = e;
    }
    if ('error' in expected) {
      expect(error, 'the file should be refused').toBeInstanceOf(DatasetError);
      const message = (error as Error).message;
      expect(message).toMatch(expected.error);
      // One readable message, whatever the file held.
      expect(message.length).toBeLessThan(600);
      expect(message).not.toMatch(/\n/);
    } else {
      expect(error, String(error)).toBeUndefined();
      if (!/\^\$/.test(expected.notice.source)) expect(dataset!.notices ?? []).toContainEqual(expect.stringMatching(expected.notice));
      expected.check?.(dataset!);
    }
  });

  it(`refuses a file over ${MAX_UPLOAD_BYTES / 2 ** 20} MB before reading it, naming the limit`, () => {
    expect(() => checkUploadSize('movies.jsonl', MAX_UPLOAD_BYTES + 1)).toThrow(/^movies\.jsonl is 64\.0 MB; the lab reads files up to 64 MB\. Keep a sample of the rows/);
    expect(() => checkUploadSize('movies.jsonl', MAX_UPLOAD_BYTES)).not.toThrow();
  });
});

describe('a malformed dataset folder gets one clear message (--data DIR)', () => {
  const FOLDERS: [string, Record<string, string>, Expect][] = [
    ['a folder without a train file', { 'dev.jsonl': jsonl(10) }, { error: /: no train file; expected one of train\.jsonl, train\.csv, train\.tsv/ }],
    ['a test label that train never shows', { 'train.jsonl': jsonl(40), 'dev.jsonl': jsonl(10), 'test.jsonl': jsonl(10, (i) => ({ label: i % 3 })) }, { error: /class "2" appears in dev or test but never in train/ }],
    ['a dev file with a bad line', { 'train.jsonl': jsonl(40), 'dev.jsonl': withBadLine('{"text": "x", "label": 0.5}') }, { error: /dev\.jsonl line 3: label 0\.5 is not a whole number/ }],
    ['a two-row train file with one-row dev and test', { 'train.jsonl': jsonl(2), 'dev.jsonl': jsonl(1), 'test.jsonl': jsonl(1) }, { notice: /is very small: 2 training examples \(0: 1, 1: 1\)/ }],
  ];
  it.each(FOLDERS)('%s', async (_what, files, expected) => {
    const dir = await mkdtemp(join(tmpdir(), 'w2s-bad-data-'));
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    const loading = loadDataDir(dir, 1);
    if ('error' in expected) await expect(loading).rejects.toThrow(expected.error);
    else {
      const ds = await loading;
      expect(ds.notices ?? []).toContainEqual(expect.stringMatching(expected.notice));
      // What was read is recorded with a hash per file, for results.json.
      expect(ds.origin?.source).toBe(dir);
      expect(ds.origin?.files?.map((f) => f.path.slice(dir.length + 1))).toEqual(Object.keys(files).sort());
      expect(ds.origin?.files?.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes > 0)).toBe(true);
    }
  });
});
