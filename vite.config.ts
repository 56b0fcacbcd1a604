import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  // Relative asset paths: the built lab works from any folder (a course site, GitHub Pages, a USB stick).
  base: './',
  plugins: [
    react(),
    // Offline: a Workbox service worker precaches the built lab — the app, the worker, the WASM
    // binaries, the bundled corpus and the shipped checkpoints — so after one visit the lab opens and trains with no network.
    // Online-only data (Hugging Face) is fetched live, never cached.
    VitePWA({
      injectRegister: 'script-defer',
      registerType: 'autoUpdate',
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{html,js,css,svg,png,wasm,json,bin}'],
        // The bundled corpus (~1.8 MB) and tfjs' chunks exceed Workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // The engine runs in an ES-module worker (dynamic imports pick the backend inside it).
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs and its backends are large by nature; they load in the worker, not on first paint.
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
