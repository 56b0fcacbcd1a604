import { describe, expect, it } from 'vitest';
import type { UiRequest, WorkerMessage } from '../../workers/protocol';
import { createLabActions } from './lab-actions';
import { LabClient, type WorkerPort } from './lab-client';
import { createLabStore } from './lab-store';
import { summarizeUpload } from '../engine/data/upload';
import type { ReadUpload } from './upload-reader';

/** A worker that answers every run and sweep with "cancelled" and records what it was sent. */
class EchoWorker implements WorkerPort {
  sent: UiRequest[] = [];
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null = null;
  postMessage(message: UiRequest) {
    this.sent.push(message);
    if (message.type === 'run') {
      queueMicrotask(() =>
        this.onmessage?.(new MessageEvent('message', { data: { type: 'reply', id: message.id, request: 'run', ok: true, value: { outcome: 'cancelled' } } })),
      );
    }
    if (message.type === 'sweep') {
      queueMicrotask(() =>
        this.onmessage?.(new MessageEvent('message', { data: { type: 'reply', id: message.id, request: 'sweep', ok: true, value: { outcome: 'cancelled' } } })),
      );
    }
  }
  terminate() {}
}

function setup() {
  const store = createLabStore();
  const worker = new EchoWorker();
  const client = new LabClient(worker, (batch) => store.getState().applyEvents(batch, 0));
  const progress: string[] = [];
  // The upload worker's work, in-process: the same parser and summary, with the progress it would post.
  const readUpload: ReadUpload = async (file, seed, onProgress) => {
    onProgress({ type: 'progress', phase: 'parsing', loaded: file.size, total: file.size });
    const text = await file.text();
    return { ...summarizeUpload(file.name, text, seed), bytes: new TextEncoder().encode(text) };
  };
  store.subscribe((s, before) => {
    if (s.uploadProgress && s.uploadProgress !== before.uploadProgress) progress.push(`${s.uploadProgress.phase} ${s.uploadProgress.loaded}/${s.uploadProgress.total}`);
  });
  return { store, worker, progress, actions: createLabActions(store, client, () => 0, readUpload) };
}

const fileOf = (name: string, text: string) => new File([text], name);

const CSV = ['text,label', ...Array.from({ length: 20 }, (_, i) => `"message number ${i}",${i % 2 ? 'spam' : 'ham'}`)].join('\n');

describe('lab actions', () => {
  it('a good upload becomes the dataset, with preview and label counts, and its progress is shown on the way', async () => {
    const { store, actions, progress } = setup();
    await actions.uploadFile(fileOf('mine.csv', CSV));
    const size = new TextEncoder().encode(CSV).length;
    expect(progress).toEqual([`reading 0/${size}`, `parsing ${size}/${size}`]);
    const { upload, config, error, uploadProgress } = store.getState();
    expect(uploadProgress).toBeNull();
    expect(error).toBeNull();
    expect(config.data.source).toBe('mine.csv');
    expect(upload?.counts.reduce((a, b) => a + b)).toBe(20);
    expect(upload?.labelNames.length).toBe(2);
    expect(upload?.preview.length).toBeGreaterThan(0);
  });

  it('a malformed upload says why and keeps the previous dataset', async () => {
    const { store, actions } = setup();
    await actions.uploadFile(fileOf('broken.jsonl', '{"text": "ok", "label": 1}\n{not json at all\n'));
    const { error, config, upload } = store.getState();
    expect(error).toMatch(/^Could not use the uploaded file: .*broken\.jsonl/);
    expect(error).toContain('keeps the dataset "spam"');
    expect(config.data.source).toBe('spam');
    expect(upload).toBeNull();
  });

  it('sends the run with a fresh runId and the dataset spec, and records how it ended', async () => {
    const { store, worker, actions } = setup();
    await actions.uploadFile(fileOf('mine.csv', CSV));
    await actions.run();
    await actions.run();
    const runs = worker.sent.filter((m) => m.type === 'run');
    expect(runs.map((r) => r.type === 'run' && r.runId)).toEqual([1, 2]);
    expect(runs[0]).toMatchObject({ dataset: { kind: 'upload', fileName: 'mine.csv' } });
    // The file travels to the run's worker as its UTF-8 bytes, whole.
    expect(new TextDecoder().decode((runs[0] as unknown as { dataset: { bytes: Uint8Array } }).dataset.bytes)).toBe(CSV);
    expect(store.getState().run.status).toBe('cancelled');
  });

  it('does not start a run with invalid settings or a missing upload', async () => {
    const { store, worker, actions } = setup();
    store.getState().setField('models.student.heads', 3);
    await actions.run();
    expect(store.getState().error).toMatch(/Fix the settings first: models.student.heads must divide dModel/);
    store.getState().setField('models.student.heads', 2);
    store.getState().setField('data.source', 'shared-link.csv');
    await actions.run();
    expect(store.getState().error).toMatch(/upload it again/);
    expect(worker.sent.filter((m) => m.type === 'run')).toEqual([]);
  });

  it('imports a config file, and a bad one shows why and keeps the settings', () => {
    const { store, actions } = setup();
    const wanted = { ...store.getState().config, seed: 1234 };
    actions.importConfig('mine.json', JSON.stringify(wanted));
    expect(store.getState().config).toEqual(wanted);
    expect(store.getState().error).toBeNull();
    actions.importConfig('bad.json', JSON.stringify({ ...wanted, seed: 7, data: { ...wanted.data, maxLength: 1 } }));
    expect(store.getState().error).toMatch(/^Could not import the config: bad\.json .*data\.maxLength/);
    expect(store.getState().config.seed).toBe(1234);
  });

  it('a sweep with a bad trigger list says why and sends nothing', async () => {
    const { store, worker, actions } = setup();
    await actions.sweep({ triggers: 'mn, MN', budgets: '', labelModes: [] });
    expect(store.getState().error).toMatch(/^Fix the sweep first: .*"mn" is listed twice/);
    expect(store.getState().sweep.status).toBe('idle');
    expect(worker.sent.filter((m) => m.type === 'sweep')).toEqual([]);
  });

  it('a sweep with a bad budget says which, and sends nothing', async () => {
    const { store, worker, actions } = setup();
    await actions.sweep({ triggers: 'mn', budgets: '0.1, lots', labelModes: [] });
    expect(store.getState().error).toMatch(/^Fix the sweep first: the budget "lots" is not a positive number/);
    // The quick preset counts its budget as a rate: 1.5 is a number, but not a rate.
    await actions.sweep({ triggers: 'mn', budgets: '0.1, 1.5', labelModes: [] });
    expect(store.getState().error).toMatch(/^Fix the sweep first: cell "mn-budget-1\.5": attack\.budget a poison rate must be in \(0, 1\]/);
    expect(worker.sent.filter((m) => m.type === 'sweep')).toEqual([]);
  });

  it('sends the sweep spec read from the form: triggers, budgets and label modes', async () => {
    const { store, worker, actions } = setup();
    await actions.sweep({ triggers: 'mn, cf', budgets: '0.1, 0.3', labelModes: ['clean', 'dirty'] });
    const sent = worker.sent.filter((m) => m.type === 'sweep');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      runId: 1,
      dataset: { kind: 'bundled' },
      spec: { triggers: [{ kind: 'badnet', trigger: 'mn' }, { kind: 'badnet', trigger: 'cf' }], budgets: [0.1, 0.3], labelModes: ['clean', 'dirty'] },
    });
    expect(store.getState().error).toBeNull();
    expect(store.getState().sweep.status).toBe('cancelled');
  });
});
