/**
 * From `config.data.source` to what the worker loads. The source names a built-in set (`spam`, a
 * SetFit name) or an uploaded file by its name; an upload is not part of a shared link, so a link to
 * one asks for the file again.
 */
import { isSetFitName } from '../engine/data/url';
import type { DatasetSpec } from '../../workers/protocol';
import type { UploadSummary } from '../engine/data/upload';

export const BUNDLED_SOURCE = 'spam';

type SpecOrError = { ok: true; spec: DatasetSpec } | { ok: false; message: string };

export function datasetSpecFor(source: string, upload: UploadSummary | null): SpecOrError {
  if (source === BUNDLED_SOURCE) return { ok: true, spec: { kind: 'bundled' } };
  if (isSetFitName(source)) return { ok: true, spec: { kind: 'setfit', name: source } };
  if (upload && upload.fileName === source) return { ok: true, spec: { kind: 'upload', fileName: upload.fileName, content: upload.content } };
  return {
    ok: false,
    message: `The dataset "${source}" is an uploaded file this page does not have: upload it again, or pick the bundled or an online dataset.`,
  };
}

/**
 * Label count of a source when it is known without loading it, so the target label is checked before
 * Run: the spam corpus (ham/spam), SST-2 and CR (negative/positive) have 2, AG News 4.
 */
export function knownLabelCount(source: string, upload: UploadSummary | null): number | undefined {
  if (upload && upload.fileName === source) return upload.labelNames.length;
  const known: Record<string, number> = { spam: 2, sst2: 2, cr: 2, ag_news: 4 };
  return known[source];
}
