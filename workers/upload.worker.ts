/**
 * Reads and parses one uploaded file off the page's thread: a 60 MB JSONL takes seconds to decode and
 * parse, which on the main thread would freeze the page. The file is read as a stream, so the page can
 * show how far it got. The page refuses a file over the size limit before it starts this worker.
 */
import { summarizeUpload } from '../src/engine/data/upload';
import type { UploadMessage, UploadRequest } from './upload-protocol';
import { errorMessage } from '../src/engine/error-message';

/** Progress is posted about this often, in bytes: a message per 64 KB chunk would flood the page. */
const PROGRESS_EVERY = 1024 * 1024;

const post = (message: UploadMessage, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.onmessage = async (event: MessageEvent<UploadRequest>) => {
  const { file, seed } = event.data;
  try {
    const bytes = await readBytes(file);
    post({ type: 'progress', phase: 'parsing', loaded: file.size, total: file.size });
    // The page gets the bytes it was read from (transferred, never decoded there); the text is parsed here.
    const summary = summarizeUpload(file.name, new TextDecoder('utf-8').decode(bytes), seed);
    post({ type: 'done', upload: { ...summary, bytes } }, [bytes.buffer]);
  } catch (error) {
    post({ type: 'error', message: errorMessage(error) });
  }
};

/** The file's bytes, read as a stream so that the page can show how far it got. */
async function readBytes(file: File): Promise<Uint8Array> {
  const reader = file.stream().getReader();
  const bytes = new Uint8Array(file.size);
  let loaded = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes.set(value, loaded);
    loaded += value.byteLength;
    if (loaded - reported >= PROGRESS_EVERY) {
      reported = loaded;
      post({ type: 'progress', phase: 'reading', loaded, total: file.size });
    }
  }
  return bytes.subarray(0, loaded);
}
