import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './errors';
import { labelCounts } from './upload';
import { loadSetFit, SETFIT_SOURCES, setfitUrl } from './url';

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const sentiment = (n: number, offset = 0) =>
  jsonl(Array.from({ length: n }, (_, i) => ({ text: `review ${offset + i}`, label: i % 2, label_text: i % 2 ? 'positive' : 'negative' })));
const AG = ['World', 'Sports', 'Business', 'Sci/Tech'];
const news = (n: number) => jsonl(Array.from({ length: n }, (_, i) => ({ text: `headline ${i}`, label: i % 4, label_text: AG[i % 4] })));

// The Hugging Face layout, served locally: {repo}/resolve/main/{split}.jsonl.
const FILES: Record<string, string> = {
  '/SetFit/sst2/resolve/main/train.jsonl': sentiment(40),
  '/SetFit/sst2/resolve/main/validation.jsonl': sentiment(10, 100),
  '/SetFit/sst2/resolve/main/test.jsonl': sentiment(12, 200),
  // CR has no dev file: dev is cut from train.
  '/SetFit/SentEval-CR/resolve/main/train.jsonl': sentiment(60),
  '/SetFit/SentEval-CR/resolve/main/test.jsonl': sentiment(10, 300),
  // AG News with a dev.jsonl (no validation.jsonl), 4 classes.
  '/SetFit/ag_news/resolve/main/train.jsonl': news(80),
  '/SetFit/ag_news/resolve/main/dev.jsonl': news(8),
  '/SetFit/ag_news/resolve/main/test.jsonl': news(16),
};

let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requested.push(path);
    if (path.startsWith('/broken/')) return void res.writeHead(500, 'Internal Server Error').end('boom');
    const body = FILES[path];
    if (body === undefined) return void res.writeHead(404, 'Not Found').end('not found');
    res.writeHead(200, { 'content-type': 'application/jsonl' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('setfitUrl', () => {
  it('builds the Hugging Face resolve URL', () => {
    expect(setfitUrl('SetFit/sst2', 'train')).toBe('https://huggingface.co/datasets/SetFit/sst2/resolve/main/train.jsonl');
    expect(setfitUrl('SetFit/sst2', 'test', 'http://h/x/')).toBe('http://h/x/SetFit/sst2/resolve/main/test.jsonl');
    expect(SETFIT_SOURCES.cr.repo).toBe('SetFit/SentEval-CR');
  });
});

describe('loadSetFit (local server)', () => {
  it('loads SST-2 with its validation file as dev', async () => {
    const ds = await loadSetFit('sst2', { baseUrl: base });
    expect(ds.name).toBe('sst2');
    expect(ds.labelNames).toEqual(['negative', 'positive']);
    expect([ds.train.length, ds.dev.length, ds.test.length]).toEqual([40, 10, 12]);
    expect(ds.dev[0]!.text).toBe('review 100');
  });

  it('cuts dev from train when the repo has no dev file (404s are fine there)', async () => {
    const ds = await loadSetFit('cr', { baseUrl: base, seed: 3 });
    expect([ds.train.length, ds.dev.length, ds.test.length]).toEqual([54, 6, 10]);
    expect(requested).toContain('/SetFit/SentEval-CR/resolve/main/validation.jsonl');
    expect(requested).toContain('/SetFit/SentEval-CR/resolve/main/dev.jsonl');
  });

  it('loads a 4-class AG News layout with dev.jsonl', async () => {
    const ds = await loadSetFit('ag_news', { baseUrl: base });
    expect(ds.labelNames).toEqual(AG);
    expect([ds.train.length, ds.dev.length, ds.test.length]).toEqual([80, 8, 16]);
    expect(labelCounts(ds.test, 4)).toEqual([4, 4, 4, 4]);
  });

  it('fails with the URL and status when train or test is missing', async () => {
    const err = await loadSetFit('sst2', { baseUrl: `${base}/nowhere` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/fetching http:\/\/127\.0\.0\.1:\d+\/nowhere\/SetFit\/sst2\/resolve\/main\/(train|test)\.jsonl failed with HTTP 404/);
  });

  it('reports a server error with its status', async () => {
    await expect(loadSetFit('sst2', { baseUrl: `${base}/broken` })).rejects.toThrow(/HTTP 500 Internal Server Error/);
  });

  it('reports a network failure as a DatasetError that mentions the offline dataset', async () => {
    const offline = (() => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch;
    await expect(loadSetFit('sst2', { fetch: offline })).rejects.toThrow(/could not fetch https:\/\/huggingface\.co\/.*fetch failed.*offline/);
  });

  it('uses the fetch it is given and passes the abort signal on', async () => {
    const controller = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const spy = ((url: string, init?: RequestInit) => {
      seen.push(init?.signal ?? undefined);
      return fetch(url.replace('https://huggingface.co/datasets', base), init);
    }) as typeof fetch;
    const ds = await loadSetFit('sst2', { fetch: spy, signal: controller.signal });
    expect(ds.train).toHaveLength(40);
    expect(seen.every((s) => s === controller.signal)).toBe(true);
    controller.abort();
    await expect(loadSetFit('sst2', { baseUrl: base, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects an unknown name', async () => {
    await expect(loadSetFit('imdb' as 'sst2')).rejects.toThrow(/unknown online dataset "imdb"; choose one of sst2, cr, ag_news/);
  });
});
