import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  // Relative asset paths: the built lab works from any folder (a course site, GitHub Pages, a USB stick).
  base: './',
  plugins: [react()],
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
