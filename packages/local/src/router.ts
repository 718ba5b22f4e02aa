import type { RouteDefinition } from '@health-api/core';

export interface RouteMatch<T extends { route: RouteDefinition }> {
  binding: T;
  /** Decoded path parameters, or null when the template has none (as API Gateway sends them). */
  pathParameters: Record<string, string> | null;
}

interface CompiledRoute<T> {
  binding: T;
  pattern: RegExp;
  names: string[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `/v1/Patient/{id}` → a pattern with one capture per `{name}` (`{name+}` spans segments). */
function compile(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.split('/').map((segment) => {
    const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
    if (!param) return escape(segment);
    names.push(param[1] as string);
    return param[2] ? '(.+)' : '([^/]+)';
  }).join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

function decode(values: string[]): string[] | undefined {
  try {
    return values.map((value) => decodeURIComponent(value));
  } catch {
    return undefined; // malformed percent-encoding matches no route
  }
}

/**
 * Finds the route for a method and path, as API Gateway's resource tree does: literal segments
 * win over parameters (the candidate with fewer parameters is chosen), then the method must match.
 */
export function createRouter<T extends { route: RouteDefinition }>(bindings: readonly T[]) {
  const compiled: CompiledRoute<T>[] = bindings
    .map((binding) => ({ binding, ...compile(binding.route.path) }))
    .sort((a, b) => a.names.length - b.names.length);
  return (method: string, path: string): RouteMatch<T> | undefined => {
    // The resource is chosen by path alone; a method it lacks is then no route at all.
    const resource = compiled.find((candidate) => candidate.pattern.test(path));
    const chosen = resource && compiled.find((c) => c.binding.route.path === resource.binding.route.path && c.binding.route.method === method);
    if (!chosen) return undefined;
    const values = decode((chosen.pattern.exec(path) as RegExpExecArray).slice(1));
    if (!values) return undefined;
    return {
      binding: chosen.binding,
      pathParameters: chosen.names.length > 0 ? Object.fromEntries(chosen.names.map((n, i) => [n, values[i] as string])) : null,
    };
  };
}
