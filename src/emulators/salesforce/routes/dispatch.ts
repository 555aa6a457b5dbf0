/** Matches a method and a path under `/services/data/vNN.N` against the declarative route table. */
import type { ApiRoute } from './types.js';

export interface RouteMatcher {
  match(method: string, path: string): { route: ApiRoute; params: Record<string, string> } | undefined;
}

export function createRouteMatcher(routes: readonly ApiRoute[]): RouteMatcher {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { route, names, re: new RegExp(`^${source}/?$`) };
  });
  return {
    match(method, path) {
      for (const c of compiled) {
        if (c.route.method !== method.toUpperCase()) continue;
        const m = c.re.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        c.names.forEach((name, i) => {
          params[name] = decodeURIComponent(m[i + 1]!);
        });
        return { route: c.route, params };
      }
      return undefined;
    },
  };
}
