/**
 * The response headers that make the lab cross-origin isolated (so WASM can run threads on a
 * SharedArrayBuffer). One source for the dev and preview servers (vite.config.ts) and the service worker
 * that adds them on hosts that cannot (workers/service-worker.ts). `require-corp` rather than
 * `credentialless`: the lab loads no cross-origin subresources, and its only cross-origin fetches (the
 * online datasets) are CORS requests, which COEP allows either way.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
