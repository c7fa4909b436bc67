/**
 * Hash routing: `#/accounts`, `#/account/<id>`, `#/audit`. The hash works the same under
 * app:// in Electron and http:// in the preview host, and a reload keeps the screen.
 */
import type { Screen } from '../../../shared/ipc-contract';

export type Route =
  { readonly screen: 'accounts' } | { readonly screen: 'account'; readonly account: string } | { readonly screen: 'audit' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'audit') return { screen: 'audit' };
  const account = /^account\/(.+)$/.exec(path);
  if (account) {
    try {
      return { screen: 'account', account: decodeURIComponent(account[1]!) };
    } catch {
      return { screen: 'accounts' };
    }
  }
  return { screen: 'accounts' };
}

export function hrefFor(route: Route): string {
  switch (route.screen) {
    case 'accounts':
      return '#/accounts';
    case 'audit':
      return '#/audit';
    case 'account':
      return `#/account/${encodeURIComponent(route.account)}`;
  }
}

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
  const stopNavigate = onNavigate?.((screen) => navigate({ screen }));
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
