/**
 * @module Tracing as the charts render it: every service and the operator export their spans to
 * the environment's Tempo distributor (`environments/`, field `tracing`). The programs start
 * OpenTelemetry only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (services/kit/tracing.ts); the
 * spans name the program (`OTEL_SERVICE_NAME`) and the environment
 * (`deployment.environment.name`, what Tempo filters by, seed 003's `env:prod`).
 */
import type { Environment } from "../environments";
import type { EgressRule } from "./constructs/hono-service";

/** The variables that turn tracing on for `program`; none where the environment has no tracing. */
export function tracingEnvironment(
  environment: Environment,
  program: string,
): Record<string, string> {
  if (environment.tracing === undefined) return {};
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: environment.tracing.otlpEndpoint,
    OTEL_SERVICE_NAME: program,
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${environment.name}`,
  };
}

/** The egress a traced pod needs: the distributor's namespace, on the endpoint's port. */
export function tracingEgress(environment: Environment): EgressRule[] {
  if (environment.tracing === undefined) return [];
  const url = new URL(environment.tracing.otlpEndpoint);
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return [{ namespace: environment.tracing.namespace, ports: [port] }];
}
