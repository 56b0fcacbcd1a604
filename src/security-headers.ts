/**
 * The lab's Content-Security-Policy: one source for the preview server's headers (vite.config.ts), the
 * service worker that adds it on static hosts (workers/service-worker.ts) and the `<meta>` tag the build
 * writes into index.html (for the first load on a host that sends no headers).
 *
 * What each part allows, and why nothing more:
 * - scripts only from the lab's own origin, and `wasm-unsafe-eval`, which compiling tfjs' WASM needs;
 *   no `unsafe-inline` and no `unsafe-eval`, so injected markup can never run script;
 * - workers, and scripts, from `blob:` too: tfjs' threaded WASM starts each pthread as a Blob worker that
 *   `importScripts` another Blob (the Emscripten factory's source). Only script already running in the
 *   lab can mint a `blob:` URL, so this opens no door to injected markup;
 * - network reads from the origin and from Hugging Face, the only dataset host the lab offers (its
 *   downloads redirect to `*.huggingface.co` / `*.hf.co` storage);
 * - images from the origin, and `data:`/`blob:` for the chart exports (PNG via an SVG image);
 * - no plugins, no `<base>` rewriting, no form posts, and (header only) no framing by other sites.
 */
const DIRECTIVES: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval' blob:",
  'worker-src': "'self' blob:",
  'connect-src': "'self' https://huggingface.co https://*.huggingface.co https://*.hf.co",
  'img-src': "'self' data: blob:",
  'style-src': "'self'",
  'font-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
};

const join = (d: Record<string, string>) =>
  Object.entries(d)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');

/** The policy as a `<meta http-equiv>` may carry it (browsers ignore `frame-ancestors` there). */
export const CONTENT_SECURITY_POLICY_META = join(DIRECTIVES);

/** The policy as a response header. */
const CONTENT_SECURITY_POLICY = join({ ...DIRECTIVES, 'frame-ancestors': "'none'" });

/** The headers the preview server and the service worker send with every file. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
