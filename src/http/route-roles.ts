import type { FastifyRequest } from "fastify";

/**
 * What a route is for, said once on the route (`config`) instead of in a list of URLs per
 * plugin. Probes and metrics are operational: never rate-limited, never shed, not logged per
 * request (balancers and Prometheus call them every few seconds). Probes also need no key, and
 * neither do public routes (the console's files; the page asks for the key itself). Whether
 * metrics need one is configuration (METRICS_REQUIRE_API_KEY).
 */
export type OperationalRole = "probe" | "metrics";

declare module "fastify" {
  interface FastifyContextConfig {
    operational?: OperationalRole;
    public?: boolean;
  }
}

export function operationalRole(request: FastifyRequest): OperationalRole | undefined {
  return request.routeOptions.config?.operational;
}
