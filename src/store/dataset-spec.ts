/**
 * From `config.data.source` to what the worker loads. The source names a built-in set (`spam`, a
 * SetFit name) or an uploaded file by its name; an upload is not part of a shared link, so a link to
 * one asks for the file again.
 */
import { isSetFitName } from '../engine/data/url';
import type { DatasetSpec } from '../../workers/protocol';
import type { ParsedUpload } from '../../workers/upload-protocol';

export const BUNDLED_SOURCE = 'spam';

type SpecOrError = { ok: true; spec: DatasetSpec } | { ok: false; message: string };

export function datasetSpecFor(source: string, upload: ParsedUpload | null): SpecOrError {
  if (source === BUNDLED_SOURCE) return { ok: true, spec: { kind: 'bundled' } };
  if (isSetFitName(source)) return { ok: true, spec: { kind: 'setfit', name: source } };
  if (upload && upload.fileName === source) return { ok: true, spec: { kind: 'upload', fileName: upload.fileName, bytes: upload.bytes } };
  return {
    ok: false,
    message: `The dataset "${source}" is an uploaded file this page does not have: upload it again, or pick the bundled or an online dataset.`,
  };
}

/**
 * The class names of a source when they are known without loading it, in label order, so the target
 * label is named ("0 (ham)") and checked before Run: the bundled spam corpus's and the SetFit sets'
 * `label_text`s, or an uploaded file's, as its loader numbered them.
 */
const KNOWN_LABEL_NAMES: Readonly<Record<string, readonly string[]>> = {
  [BUNDLED_SOURCE]: ['ham', 'spam'],
  sst2: ['negative', 'positive'],
  cr: ['negative', 'positive'],
  ag_news: ['World', 'Sports', 'Business', 'Sci/Tech'],
};

export function knownLabelNames(source: string, upload: ParsedUpload | null): readonly string[] | undefined {
  if (upload && upload.fileName === source) return upload.labelNames;
  return Object.prototype.hasOwnProperty.call(KNOWN_LABEL_NAMES, source) ? KNOWN_LABEL_NAMES[source] : undefined;
}

/** Label count of a source when it is known without loading it, so the target label is checked before Run. */
export function knownLabelCount(source: string, upload: ParsedUpload | null): number | undefined {
  return knownLabelNames(source, upload)?.length;
}

/** A class index with its name where the names are known: "0 (ham)"; an index the dataset lacks says so. */
export function classWithName(index: number, names: readonly string[] | undefined): string {
  if (!names) return String(index);
  const name = names[index];
  return name === undefined ? `${index} (not a class of this dataset)` : `${index} (${name})`;
}
