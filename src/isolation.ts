/**
 * The one reload that isolates the page on a host without headers: the first visit loads unisolated,
 * the service worker installs and takes control, and from then on it serves every file with COOP/COEP
 * (workers/service-worker.ts). Reloading once at that moment gives this visit WASM threads too. A
 * session flag makes it at most one reload, whatever the browser does (a browser that ignores the
 * headers must not reload forever), and `pristine` keeps it from costing anything: a page where the user
 * has already uploaded, run or swept is never reloaded (the badge says a reload brings threads).
 */
const RELOADED_KEY = 'w2s-isolation-reload';

export function reloadOnceForIsolation(pristine: () => boolean, win: Window = window): void {
  const sw = win.navigator.serviceWorker;
  if (win.crossOriginIsolated || !sw) return;
  const reloadOnce = () => {
    if (win.crossOriginIsolated || win.sessionStorage.getItem(RELOADED_KEY) || !pristine()) return;
    win.sessionStorage.setItem(RELOADED_KEY, '1');
    win.location.reload();
  };
  if (sw.controller) {
    reloadOnce();
    return;
  }
  sw.addEventListener('controllerchange', reloadOnce, { once: true });
}
