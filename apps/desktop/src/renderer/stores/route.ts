/**
 * Which screen is showing, kept in the URL hash (#/data?table=x) so reloads
 * and notification clicks land on the right place without a router library.
 * The query string of the page itself (?token=…) is left alone.
 */
import { create } from 'zustand';

export const SCREENS = ['catalog', 'subscriptions', 'data', 'publish', 'subscribers', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export interface Route {
  screen: Screen;
  params: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?');
  const screen = (SCREENS as readonly string[]).includes(path) ? (path as Screen) : 'catalog';
  return { screen, params: Object.fromEntries(new URLSearchParams(query)) };
}

export function formatHash(route: Route): string {
  const q = new URLSearchParams(route.params).toString();
  return `#/${route.screen}${q ? `?${q}` : ''}`;
}

interface RouteState extends Route {
  go(screen: Screen, params?: Record<string, string>): void;
}

export const useRoute = create<RouteState>((set) => ({
  ...parseHash(typeof location === 'undefined' ? '' : location.hash),
  go(screen, params = {}) {
    const next = { screen, params };
    if (typeof location !== 'undefined') history.replaceState(null, '', formatHash(next));
    set(next);
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => useRoute.setState(parseHash(location.hash)));
}
