import type { FunctionDefinition, HttpTrigger } from '@leadflow/manifest';

export interface HttpRoute {
  functionName: string;
  trigger: HttpTrigger;
  routeKey: string;
  pattern: RegExp;
  parameterNames: string[];
  /** Literal segments win over parameters, as in API Gateway's route selection. */
  specificity: number;
}

/** The manifest's HTTP routes, compiled once for matching. */
export function buildRouteTable(functions: readonly FunctionDefinition[]): HttpRoute[] {
  const routes = functions.flatMap((definition) => {
    const trigger = definition.trigger;
    if (trigger.kind !== 'http') return [];
    const parameterNames: string[] = [];
    const source = trigger.path
      .split('/')
      .map((segment) => {
        const parameter = /^\{(\w+)(\+?)\}$/.exec(segment);
        if (!parameter) return escapeRegExp(segment);
        parameterNames.push(parameter[1]);
        return parameter[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return [
      {
        functionName: definition.name,
        trigger,
        routeKey: `${trigger.method} ${trigger.path}`,
        pattern: new RegExp(`^${source}$`),
        parameterNames,
        specificity: trigger.path.split('/').filter((segment) => segment && !segment.startsWith('{')).length,
      },
    ];
  });
  return routes.sort((a, b) => b.specificity - a.specificity);
}

/**
 * Whether every `%` in a path starts an escape that decodes (to UTF-8). API Gateway answers a path with a
 * malformed escape, such as `/leads/%E0%A4%A`, with 400 before any route or authorizer runs.
 */
export function hasWellFormedEscapes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export function matchRoute(routes: readonly HttpRoute[], method: string, path: string): { route: HttpRoute; pathParameters: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.trigger.method !== method && !(method === 'HEAD' && route.trigger.answersHead)) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(route.parameterNames.map((name, index) => [name, decodeURIComponent(match[index + 1])]));
    return { route, pathParameters };
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
