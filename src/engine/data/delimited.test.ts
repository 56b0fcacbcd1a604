import { describe, expect, it } from 'vitest';
import { parseDelimited } from './delimited';

describe('parseDelimited', () => {
  it('reads quoted fields with commas, quotes and newlines', () => {
    const csv = 'text,label\n"hello, world",1\n"two\nlines",0\n"she said ""hi""",1\n';
    expect(parseDelimited(csv, 'a.csv')).toMatchObject([
      { text: 'hello, world', label: '1' },
      { text: 'two\nlines', label: '0' },
      { text: 'she said "hi"', label: '1' },
    ]);
  });

  it('reads TSV by extension, with aliases and a label_text column', () => {
    const tsv = 'id\tSentence\tlabel\tlabel_text\n1\tgood, really\t1\tpositive\n2\tbad\t0\tnegative\n\n';
    expect(parseDelimited(tsv, 'x.tsv')).toMatchObject([
      { text: 'good, really', label: '1', labelText: 'positive' },
      { text: 'bad', label: '0', labelText: 'negative' },
    ]);
  });

  it('takes an explicit delimiter over the file name', () => {
    expect(parseDelimited('content\tclass\na,b\tx\n', 'odd.csv', '\t')).toMatchObject([{ text: 'a,b', label: 'x' }]);
  });

  it('lists the columns found when the text or label column is missing', () => {
    expect(() => parseDelimited('body_text,score\nx,1\n', 'r.csv')).toThrow(
      /r\.csv: no text column \(text, sentence.*\) in the header; columns found: body_text, score/,
    );
    expect(() => parseDelimited('text,score\nx,1\n', 'r.csv')).toThrow(/no label column .*columns found: text, score/);
  });

  it('reports a row with the wrong number of cells or an empty label', () => {
    expect(() => parseDelimited('text,label\nfine,1\na,b,c\n', 'r.csv')).toThrow(/r\.csv row 2 \(after the header\): Too many fields/);
    expect(() => parseDelimited('text,label\nfine,\n', 'r.csv')).toThrow(/r\.csv row 1 \(after the header\): the "label" cell is empty/);
  });

  it('reports an unterminated quote', () => {
    expect(() => parseDelimited('text,label\n"open,1\nx,0\n', 'q.csv')).toThrow(/q\.csv.*unterminated/i);
  });
});
