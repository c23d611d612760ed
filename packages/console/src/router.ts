import { signal } from '@preact/signals';

/** The views, by hash (`#/accounts/sandbox`): a reload, a bookmark or a second tab lands on the same one. */
export type Route =
  | { view: 'accounts' }
  | { view: 'videos'; account: string }
  | { view: 'operation'; operationId: string }
  | { view: 'history' };

function parseRoute(hash: string): Route {
  const [, view, argument] = hash.replace(/^#/, '').split('/');
  const value = argument === undefined ? '' : decodeURIComponent(argument);
  if (view === 'accounts' && value) return { view: 'videos', account: value };
  if (view === 'operations' && value) return { view: 'operation', operationId: value };
  if (view === 'history') return { view: 'history' };
  return { view: 'accounts' };
}

export function hrefOf(route: Route): string {
  switch (route.view) {
    case 'videos':
      return `#/accounts/${encodeURIComponent(route.account)}`;
    case 'operation':
      return `#/operations/${encodeURIComponent(route.operationId)}`;
    case 'history':
      return '#/history';
    default:
      return '#/accounts';
  }
}

export const route = signal<Route>(parseRoute(location.hash));
addEventListener('hashchange', () => (route.value = parseRoute(location.hash)));

export function navigate(to: Route): void {
  location.hash = hrefOf(to);
}
