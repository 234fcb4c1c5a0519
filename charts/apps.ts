/**
 * @module The apps rendered for each environment, one Chart each, in the order Argo CD syncs
 * them. To add a component, add its Chart here with its stage.
 */
import { App, type Chart } from "cdk8s";
import type { Environment } from "../environments";
import { AlertRoutingChart } from "./alert-routing-chart";
import { AlertsChart } from "./alerts-chart";
import type { Stage } from "./argo";
import { ArgoCdChart, type RenderedApp } from "./argocd-chart";
import { AutopilotChart } from "./autopilot-chart";
import { OperatorChart } from "./operator-chart";
import { PostgresChart } from "./postgres-chart";
import { RedisChart } from "./redis-chart";
import { RedpandaChart } from "./redpanda-chart";
import { ServicesChart } from "./services-chart";

export interface AppDefinition extends RenderedApp {
  readonly build: (scope: App, environment: Environment) => Chart;
}

/** Every app Argo CD syncs through the ApplicationSet, by stage. */
export const appDefinitions: readonly AppDefinition[] = [
  {
    name: "operator",
    stage: "operators",
    build: (scope, environment) => new OperatorChart(scope, "operator", environment),
  },
  {
    name: "postgres",
    stage: "data",
    build: (scope, environment) => new PostgresChart(scope, "postgres", environment),
  },
  {
    name: "redis",
    stage: "data",
    build: (scope, environment) => new RedisChart(scope, "redis", environment),
  },
  {
    name: "redpanda",
    stage: "data",
    build: (scope, environment) => new RedpandaChart(scope, "redpanda", environment),
  },
  {
    name: "services",
    stage: "apps",
    build: (scope, environment) => new ServicesChart(scope, "services", environment),
  },
  { name: "alerts", stage: "alerts", build: (scope, env) => new AlertsChart(scope, "alerts", env) },
  {
    name: "autopilot",
    stage: "operators",
    build: (scope, environment) => new AutopilotChart(scope, "autopilot", environment),
  },
  {
    name: "alert-routing",
    stage: "alerts",
    build: (scope, environment) => new AlertRoutingChart(scope, "alert-routing", environment),
  },
];

/** The folder the root Application syncs: the AppProject and the ApplicationSet. */
export const argoCdAppName = "argocd";

export interface BuiltApp {
  readonly name: string;
  /** Undefined for the Argo CD app itself, which the root Application syncs. */
  readonly stage?: Stage;
  readonly chart: Chart;
}

/** Builds every chart of one environment in a fresh cdk8s App. */
export function buildEnvironment(environment: Environment): BuiltApp[] {
  const app = new App();
  const built: BuiltApp[] = appDefinitions.map((definition) => ({
    name: definition.name,
    stage: definition.stage,
    chart: definition.build(app, environment),
  }));
  const argoCd = new ArgoCdChart(app, argoCdAppName, {
    environment,
    apps: appDefinitions.map(({ name, stage }) => ({ name, stage })),
  });
  return [{ name: argoCdAppName, chart: argoCd }, ...built];
}
