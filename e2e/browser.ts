/**
 * Debian's Chromium as the project runs it (never a downloaded browser), and the built lab served with
 * `vite preview` on 127.0.0.1: shared by the browser tests (playwright.config.ts, harness.ts) and the
 * browser benchmarks (bench-webgpu.ts, bench-threads.ts).
 */
import { preview, type PreviewServer } from 'vite';
import { chromium, type Browser } from '@playwright/test';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags the project runs Chromium with: WebGPU on (SwiftShader here), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function startServer(root: string): Promise<PreviewServer> {
  return preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
}

export function serverUrl(server: PreviewServer): string {
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return url;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
