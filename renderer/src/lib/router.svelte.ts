/**
 * Hash routing: `#/accounts`, `#/account/<id>`, `#/statement/<id>` (or `#/statement` before an
 * account is chosen), `#/audit`. The hash works the same under app:// in Electron and http://
 * in the preview host, and a reload keeps the screen.
 */
import type { Screen } from '#shared/ipc-contract';
import { hrefFor, parseRoute, routeForScreen, type Route } from './routes';

export { hrefFor, parseRoute, routeForScreen, type Route };

let current = $state<Route>(parseRoute(location.hash));

export const router = {
  get route(): Route {
    return current;
  },
};

/** Follows hash changes (links, back/forward) and the host's navigation requests. */
export function startRouting(onNavigate?: (listener: (screen: Screen) => void) => () => void): () => void {
  const follow = () => {
    current = parseRoute(location.hash);
  };
  window.addEventListener('hashchange', follow);
  const stopNavigate = onNavigate?.((screen) => navigate(routeForScreen(screen, current)));
  return () => {
    window.removeEventListener('hashchange', follow);
    stopNavigate?.();
  };
}

export function navigate(route: Route): void {
  const href = hrefFor(route);
  if (location.hash !== href) location.hash = href;
  else current = route;
}
