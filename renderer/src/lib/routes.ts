/**
 * The app's routes as hash text and back, and where the host's menu requests lead. Pure (no
 * runes, no DOM), so tests read it directly; lib/router.svelte.ts follows the hash with it.
 */
import type { Screen } from '#shared/ipc-contract';

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

/**
 * The route a host's request for `screen` leads to from `from`: Account → Statement… is for
 * the account on screen, and asks for one when none is shown.
 */
export function routeForScreen(screen: Screen, from: Route): Route {
  if (screen !== 'statement') return { screen };
  const account = from.screen === 'account' || from.screen === 'statement' ? from.account : undefined;
  return account === undefined ? { screen: 'statement' } : { screen: 'statement', account };
}
