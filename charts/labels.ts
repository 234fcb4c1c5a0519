/**
 * @module The recommended Kubernetes labels on every rendered object, so `kubectl get -l`
 * and Argo CD find what belongs to a component.
 */
import type { EnvironmentName } from "../environments";

export const partOf = "breakwater";
export const environmentLabel = "breakwater.dev/environment";

/** Labels for one component of one environment. */
export function componentLabels(
  name: string,
  component: string,
  environment: EnvironmentName,
): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": partOf,
    "app.kubernetes.io/managed-by": "cdk8s",
    [environmentLabel]: environment,
  };
}

/** The labels that select a component's pods (stable across releases). */
export function selectorLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": partOf };
}
