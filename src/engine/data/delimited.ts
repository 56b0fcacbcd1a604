/**
 * CSV and TSV through papaparse: quoting, embedded commas and newlines are its job, not a hand split.
 */
import Papa from 'papaparse';
import type { RawRow } from './build';
import { DatasetError } from './errors';
import { findField, LABEL_FIELDS, LABEL_TEXT_FIELDS, TEXT_FIELDS } from './fields';
import { stripBom } from './jsonl';

/**
 * Parse a CSV (`,`) or TSV (`\t`) file with a header row. The delimiter defaults to the file name's
 * extension (`.tsv`/`.tab` → tab), else papaparse guesses. The text column is `text` or an alias
 * (`sentence`, `content`, …), the label column `label` or an alias (`labels`, `class`, `category`,
 * `label_text`, …); if either is missing, the `DatasetError` lists the columns found. Rows whose text and
 * label are both empty (trailing blank lines) are skipped; a row with only one of them is an error.
 */
export function parseDelimited(text: string, fileName = 'file', delimiter?: ',' | '\t'): RawRow[] {
  const guessed = delimiter ?? (/\.(tsv|tab)$/i.test(fileName) ? '\t' : /\.csv$/i.test(fileName) ? ',' : undefined);
  const result = Papa.parse<Record<string, string>>(stripBom(text), {
    header: true,
    skipEmptyLines: 'greedy',
    ...(guessed ? { delimiter: guessed } : {}),
    // Keep every cell a string: labels like "01" or "1e3" must not be reinterpreted.
    dynamicTyping: false,
  });
  const fields = (result.meta.fields ?? []).filter((f) => f !== '');
  // Papaparse counts data rows from 0; quoted newlines make file lines a poor guide, so name the row.
  const fatal = result.errors.find((e) => e.type === 'Quotes' || e.code === 'TooManyFields' || e.code === 'TooFewFields');
  if (fatal) {
    const line = typeof fatal.row === 'number' ? ` row ${fatal.row + 1} (after the header)` : '';
    throw new DatasetError(`${fileName}${line}: ${fatal.message}; check the quoting and that every row has ${fields.length} columns`);
  }
  const textKey = findField(fields, TEXT_FIELDS);
  const labelKey = findField(fields, LABEL_FIELDS);
  if (textKey === undefined || labelKey === undefined) {
    const missing = textKey === undefined ? `text column (${TEXT_FIELDS.join(', ')})` : `label column (${LABEL_FIELDS.join(', ')})`;
    // Spreadsheets set to a European locale save CSV with semicolons: one column whose name holds them.
    const semicolons = fields.length === 1 && fields[0]!.includes(';') ? ' The file seems to separate columns with ";": save it with commas, or as TSV.' : '';
    throw new DatasetError(
      `${fileName}: no ${missing} in the header; columns found: ${fields.join(', ') || 'none'}. ` +
        `The first row must name the columns, e.g. "text,label".${semicolons}`,
    );
  }
  const nameKey = findField(fields, LABEL_TEXT_FIELDS);
  const rows: RawRow[] = [];
  result.data.forEach((record, i) => {
    const t = record[textKey] ?? '';
    const l = (record[labelKey] ?? '').trim();
    if (t.trim() === '' && l === '') return;
    const where = `${fileName} row ${i + 1} (after the header)`;
    if (l === '') throw new DatasetError(`${where}: the "${labelKey}" cell is empty; every row needs a label`);
    if (t.trim() === '') throw new DatasetError(`${where}: the "${textKey}" cell is empty; remove the row or fill it in`);
    const row: RawRow = { text: t, label: l, where };
    if (nameKey !== undefined && nameKey !== labelKey && record[nameKey]) row.labelText = record[nameKey]!;
    rows.push(row);
  });
  return rows;
}
