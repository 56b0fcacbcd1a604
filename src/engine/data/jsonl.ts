/**
 * JSON Lines, the format of Hugging Face's SetFit datasets: one object per line,
 * `{"text": "...", "label": 1, "label_text": "positive"}`.
 */
import { shortJson } from '../short-json';
import type { RawRow } from './build';
import { DatasetError } from './errors';
import { findField, LABEL_FIELDS, LABEL_TEXT_FIELDS, TEXT_FIELDS } from './fields';

const EXAMPLE = '{"text": "a fine film", "label": 1}';

/**
 * Parse JSONL text into rows. Blank lines are skipped. The text field may be `text` or a usual alias
 * (`sentence`, `content`, …), the label `label` or an alias (`class`, `category`, …). A line that is not a
 * JSON object, or lacks a text or a label, throws a `DatasetError` naming `fileName` and the line number.
 */
export function parseJsonl(text: string, fileName = 'file'): RawRow[] {
  const rows: RawRow[] = [];
  const lines = stripBom(text).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${fileName} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DatasetError(`${where}: not valid JSON (${(e as Error).message}); each line must be one JSON object like ${EXAMPLE}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DatasetError(`${where}: expected a JSON object like ${EXAMPLE}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
    }
    rows.push(rowFromObject(value as Record<string, unknown>, where));
  }
  return rows;
}

/** One row from a parsed object (a JSONL line, an element of a JSON array); errors name `where`. */
export function rowFromObject(obj: Record<string, unknown>, where: string): RawRow {
  const keys = Object.keys(obj);
  const textKey = findField(keys, TEXT_FIELDS);
  const labelKey = findField(keys, LABEL_FIELDS);
  if (textKey === undefined) {
    throw new DatasetError(`${where}: no text field; expected one of ${TEXT_FIELDS.join(', ')} (found: ${keys.join(', ') || 'none'})`);
  }
  if (labelKey === undefined) {
    throw new DatasetError(`${where}: no label field; expected one of ${LABEL_FIELDS.join(', ')} (found: ${keys.join(', ') || 'none'})`);
  }
  const text = obj[textKey];
  const label = obj[labelKey];
  if (typeof text !== 'string') throw new DatasetError(`${where}: "${textKey}" must be a string, got ${shortJson(text)}; put the text in quotes`);
  if (text.trim() === '') throw new DatasetError(`${where}: "${textKey}" is empty; remove the row or fill it in`);
  if (!((typeof label === 'number' && Number.isFinite(label)) || (typeof label === 'string' && label.trim() !== ''))) {
    throw new DatasetError(`${where}: "${labelKey}" must be a class index (0, 1, …) or a class name, got ${shortJson(label)}`);
  }
  const row: RawRow = { text, label: typeof label === 'string' ? label.trim() : label, where };
  const nameKey = findField(keys, LABEL_TEXT_FIELDS);
  if (nameKey !== undefined && nameKey !== labelKey && typeof obj[nameKey] === 'string') row.labelText = obj[nameKey] as string;
  return row;
}

/** Files saved by Windows tools often start with a byte-order mark that would glue onto the first key. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
