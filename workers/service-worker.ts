/// <reference lib="webworker" />
/**
 * The lab's service worker. Two jobs:
 * 1. Offline: Workbox precaches the built lab (the app, the worker, the WASM binaries, the bundled corpus,
 *    the shipped checkpoints), so after one visit it opens and trains with no network. Online-only data
 *    (Hugging Face) is fetched live, never cached.
 * 2. Threads on any static host: WASM threads need SharedArrayBuffer, which needs a cross-origin isolated
 *    page (COOP same-origin + COEP require-corp). A course site or a USB stick cannot send headers, so
 *    every response this worker serves carries them; the page reloads once after the worker takes
 *    control (see src/isolation.ts) and is isolated from then on. A host that sends the headers itself
 *    (`npm start`, `npm run preview`) is isolated from the first load.
 */
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { ISOLATION_HEADERS } from '../src/isolation-headers';
import { SECURITY_HEADERS } from '../src/security-headers';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

/** The same body and status with the isolation and security headers added (opaque responses cannot be rebuilt). */
function withIsolation(response: Response): Response {
  if (response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries({ ...ISOLATION_HEADERS, ...SECURITY_HEADERS })) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// Every response the precache serves, the app's navigations included, leaves with the headers.
addPlugins([{ handlerWillRespond: async ({ response }) => withIsolation(response) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// A new version takes over at once (the page's registration is `autoUpdate`), and a first visit is
// controlled without waiting for the next navigation, so the one isolating reload can follow.
void self.skipWaiting();
clientsClaim();
