import type { RouteDefinition } from '@health-api/core';

export interface RouteMatch<T extends { route: RouteDefinition }> {
  binding: T;
  /** Decoded path parameters, or null when the template has none (as API Gateway sends them). */
  pathParameters: Record<string, string> | null;
}

/** One resource of the tree (a path template) and its methods. */
interface Resource<T> {
  pattern: RegExp;
  names: string[];
  methods: Map<string, T>;
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
 * The tree is built once: literal resources are one map lookup, the others one pattern each.
 */
export function createRouter<T extends { route: RouteDefinition }>(bindings: readonly T[]) {
  const byTemplate = new Map<string, Resource<T>>();
  for (const binding of bindings) {
    const template = binding.route.path;
    const resource = byTemplate.get(template) ?? { ...compile(template), methods: new Map<string, T>() };
    if (!resource.methods.has(binding.route.method)) resource.methods.set(binding.route.method, binding);
    byTemplate.set(template, resource);
  }
  // A literal resource's matches never change: built once, not per request.
  const literal = new Map([...byTemplate].filter(([, r]) => r.names.length === 0).map(([template, r]) => [
    template, new Map([...r.methods].map(([method, binding]) => [method, { binding, pathParameters: null }])),
  ]));
  const templated = [...byTemplate.values()].filter((r) => r.names.length > 0).sort((a, b) => a.names.length - b.names.length);
  return (method: string, path: string): RouteMatch<T> | undefined => {
    // The resource is chosen by path alone; a method it lacks is then no route at all.
    const exact = literal.get(path);
    if (exact) return exact.get(method);
    for (const resource of templated) {
      const captured = resource.pattern.exec(path);
      if (!captured) continue;
      const binding = resource.methods.get(method);
      const values = binding && decode(captured.slice(1));
      if (!binding || !values) return undefined;
      return { binding, pathParameters: Object.fromEntries(resource.names.map((n, i) => [n, values[i] as string])) };
    }
    return undefined;
  };
}
