/**
 * The shipped vocabulary and checkpoints in the browser: fetched from `checkpoints/` next to the page
 * (and kept by the service worker for offline use), opened once per session.
 */
import { openShipped, type ShippedModels } from '../src/engine/models/checkpoint';
import { openPublished, type PublishedModels } from '../src/engine/models/published';

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

let openedPublished: { baseUrl: string; models: Promise<PublishedModels | null> } | null = null;

/** The attacker's published models served beside the checkpoints (null when the build has none). */
export function fetchPublished(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<PublishedModels | null> {
  if (openedPublished?.baseUrl === baseUrl) return openedPublished.models;
  const models = openPublished(async (name) => {
    const url = new URL(CHECKPOINT_PATH + name, baseUrl).href;
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  });
  openedPublished = { baseUrl, models };
  models.catch(() => {
    if (openedPublished?.models === models) openedPublished = null;
  });
  return models;
}
