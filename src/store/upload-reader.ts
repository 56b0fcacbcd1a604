/**
 * Runs the upload worker for one file: resolves with the parsed file, rejects with the parser's
 * message, and reports progress on the way. A fresh worker per file, ended when it answers, so a big
 * file's text does not stay in a worker nobody uses.
 */
import type { ParsedUpload, UploadMessage, UploadRequest } from '../../workers/upload-protocol';

export type UploadProgress = Extract<UploadMessage, { type: 'progress' }>;

/** Reads and parses `file`; how the lab does it in the browser (see workers/upload.worker.ts). */
export type ReadUpload = (file: File, seed: number, onProgress: (p: UploadProgress) => void) => Promise<ParsedUpload>;

export const readUploadInWorker: ReadUpload = (file, seed, onProgress) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../../workers/upload.worker.ts', import.meta.url), { type: 'module' });
    const end = () => worker.terminate();
    worker.onmessage = (event: MessageEvent<UploadMessage>) => {
      const message = event.data;
      if (message.type === 'progress') return onProgress(message);
      end();
      if (message.type === 'done') resolve(message.upload);
      else reject(new Error(message.message));
    };
    worker.onerror = (event) => {
      end();
      reject(new Error(`the file reader stopped: ${event.message || 'unknown error'}`));
    };
    const request: UploadRequest = { file, seed };
    worker.postMessage(request);
  });
