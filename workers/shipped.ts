/**
 * The shipped vocabulary and checkpoints in the browser: fetched from `checkpoints/` next to the page
 * (and kept by the service worker for offline use), opened once per session.
 */
import { openShipped, type ShippedModels } from '../src/engine/models/checkpoint';

const CHECKPOINT_PATH = 'checkpoints/';

let opened: { baseUrl: string; models: Promise<ShippedModels> } | null = null;

export function fetchShipped(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<ShippedModels> {
  if (opened?.baseUrl === baseUrl) return opened.models;
  const models = openShipped(async (name) => {
    const url = new URL(CHECKPOINT_PATH + name, baseUrl).href;
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  });
  opened = { baseUrl, models };
  // A failed fetch (offline on first visit) is not kept: the next run tries again.
  models.catch(() => {
    if (opened?.models === models) opened = null;
  });
  return models;
}
