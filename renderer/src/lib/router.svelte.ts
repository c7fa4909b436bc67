/**
 * Hash routing: `#/accounts`, `#/account/<id>`, `#/statement/<id>` (or `#/statement` before an
 * account is chosen), `#/audit`. The hash works the same under app:// in Electron and http://
 * in the preview host, and a reload keeps the screen.
 */
import type { Screen } from '../../../shared/ipc-contract';

export type Route =
  | { readonly screen: 'accounts' }
  | { readonly screen: 'account'; readonly account: string }
  | { readonly screen: 'statement'; readonly account?: string }
  | { readonly screen: 'audit' };

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'audit') return { screen: 'audit' };
  if (path === 'statement') return { screen: 'statement' };
  const statement = /^statement\/(.+)$/.exec(path);
  if (statement) {
    const account = decoded(statement[1]!);
    return account === undefined ? { screen: 'statement' } : { screen: 'statement', account };
  }
  const account = /^account\/(.+)$/.exec(path);
  if (account) {
    const id = decoded(account[1]!);
    return id === undefined ? { screen: 'accounts' } : { screen: 'account', account: id };
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
    case 'statement':
      return route.account === undefined ? '#/statement' : `#/statement/${encodeURIComponent(route.account)}`;
  }
}

let current = $state<Route>(parseRoute(location.hash));

export const router = {
  get route(): Route {
    return current;
  },
};

/**
 * The route a host's request for `screen` leads to from `from`: Account → Statement… is for
 * the account on screen, and asks for one when none is shown.
 */
export function routeForScreen(screen: Screen, from: Route): Route {
  if (screen !== 'statement') return { screen };
  const account = from.screen === 'account' || from.screen === 'statement' ? from.account : undefined;
  return account === undefined ? { screen: 'statement' } : { screen: 'statement', account };
}

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
