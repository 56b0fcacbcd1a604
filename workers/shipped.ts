/**
 * The shipped vocabulary and checkpoints, and the attacker's published models beside them, in the
 * browser: fetched from `checkpoints/` next to the page (and kept by the service worker for offline
 * use), each opened once per session.
 */
import { openShipped, type ShippedModels } from '../src/engine/models/checkpoint';
import { openPublished, type PublishedModels } from '../src/engine/models/published';

const CHECKPOINT_PATH = 'checkpoints/';

/** Reads a file of `checkpoints/` beside the page, failing in words on an HTTP error. */
function reader(baseUrl: string, fetchFn: typeof fetch): (name: string) => Promise<Uint8Array> {
  return async (name) => {
    const url = new URL(CHECKPOINT_PATH + name, baseUrl).href;
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

/**
 * `open` once per page address; a failed open (offline on a first visit) is not kept, so the next run
 * tries again.
 */
function openedOnce<T>(open: (read: (name: string) => Promise<Uint8Array>) => Promise<T>) {
  let opened: { baseUrl: string; value: Promise<T> } | null = null;
  return (baseUrl: string, fetchFn: typeof fetch = fetch): Promise<T> => {
    if (opened?.baseUrl === baseUrl) return opened.value;
    const value = open(reader(baseUrl, fetchFn));
    opened = { baseUrl, value };
    value.catch(() => {
      if (opened?.value === value) opened = null;
    });
    return value;
  };
}

export const fetchShipped: (baseUrl: string, fetchFn?: typeof fetch) => Promise<ShippedModels> = openedOnce(openShipped);

/** Null when the build publishes no models. */
export const fetchPublished: (baseUrl: string, fetchFn?: typeof fetch) => Promise<PublishedModels | null> = openedOnce(openPublished);
