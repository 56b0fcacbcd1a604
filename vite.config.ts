import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { ISOLATION_HEADERS } from './src/isolation-headers.ts';
import { CONTENT_SECURITY_POLICY_META, SECURITY_HEADERS } from './src/security-headers.ts';

/**
 * The CSP as a `<meta>` in the built index.html, for hosts that send no headers. Build only: the dev
 * server injects inline scripts (React refresh) that a strict policy would block.
 */
const cspMeta: Plugin = {
  name: 'w2s-csp-meta',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY_META }, injectTo: 'head-prepend' }],
};

export default defineConfig({
  // Relative asset paths: the built lab works from any folder (a course site, GitHub Pages, a USB stick).
  base: './',
  plugins: [
    react(),
    cspMeta,
    // The lab's own service worker (workers/service-worker.ts): Workbox precaching for offline use, and
    // the COOP/COEP headers on every file it serves, so WASM gets threads on any static host.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'workers',
      filename: 'service-worker.ts',
      injectRegister: 'script-defer',
      registerType: 'autoUpdate',
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,svg,png,wasm,json,bin}'],
        // The bundled corpus (~1.8 MB) and tfjs' chunks exceed Workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      },
    }),
  ],
  // The engine runs in an ES-module worker (dynamic imports pick the backend inside it).
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs and its backends are large by nature; they load in the worker, not on first paint.
    chunkSizeWarningLimit: 4096,
    // Terser with `typeofs` off, as tfjs' wasm README asks: its threaded WASM starts every pthread worker
    // from the *source text* of the Emscripten factory (Function.prototype.toString into a Blob), where
    // `_scriptDir` is not declared; the factory survives that only while `typeof _scriptDir !==
    // "undefined"` stays a typeof test. Both the default minifier and Terser's defaults rewrite it into
    // a bare reference ("e is not defined" in every pthread, and the backend never starts).
    minify: 'terser',
    terserOptions: { compress: { typeofs: false } },
  },
  // Cross-origin isolated from the first load on the lab's own servers (threaded WASM needs it).
  server: { host: '127.0.0.1', headers: { ...ISOLATION_HEADERS } },
  preview: { host: '127.0.0.1', headers: { ...ISOLATION_HEADERS, ...SECURITY_HEADERS } },
});
