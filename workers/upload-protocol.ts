/** Messages between the page and the upload worker (see upload.worker.ts). */
import type { UploadSummary } from '../src/engine/data/upload';

export interface UploadRequest {
  file: File;
  /** Seeds the 80/10/10 split, as the run's worker will. */
  seed: number;
}

/**
 * What the page keeps of a parsed file: enough for the preview, and the text for the run's worker as
 * UTF-8 bytes. Bytes are transferred, and copied on to the run's worker, without ever being decoded on
 * the page: a string of tens of MB, deserialised on the page's thread, froze it for 200–260 ms.
 */
export type ParsedUpload = UploadSummary & { bytes: Uint8Array };

export type UploadMessage =
  | { type: 'progress'; phase: 'reading' | 'parsing'; loaded: number; total: number }
  | { type: 'done'; upload: ParsedUpload }
  | { type: 'error'; message: string };
