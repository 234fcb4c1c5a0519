/**
 * @module Every alert group of one environment: the kit's (HTTP, outbox) for every service,
 * and each enabled service's own. The chart renders these; the tests evaluate the same data.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { autopilotAlerts } from "./autopilot-alerts";
import { dataPlaneAlerts } from "./data-plane-alerts";
import { escrowAlerts } from "./escrow-alerts";
import { exchangeAlerts } from "./exchange-alerts";
import { exchangeEdgeAlerts } from "./exchange-edge-alerts";
import { httpAlerts } from "./http-alerts";
import { operatorAlerts } from "./operator-alerts";
import { outboxAlerts } from "./outbox-alerts";
import { paymentsAlerts } from "./payments-alerts";
import { purchasingAlerts } from "./purchasing-alerts";

export function alertGroups(environment: Environment): AlertGroup[] {
  const groups = [httpAlerts(environment), outboxAlerts(environment), operatorAlerts(environment)];
  if (environment.services.payments.enabled) groups.push(paymentsAlerts(environment));
  if (environment.features.autopilot.enabled) groups.push(autopilotAlerts(environment));
  groups.push(...dataPlaneAlerts(environment));
  if (environment.services.purchasing.enabled) groups.push(purchasingAlerts(environment));
  if (environment.services["exchange-edge"].enabled) groups.push(exchangeEdgeAlerts(environment));
  if (environment.services.exchange.enabled) groups.push(exchangeAlerts(environment));
  if (environment.services.escrow.enabled) groups.push(escrowAlerts(environment));
  const names = new Set<string>();
  for (const rule of groups.flatMap((group) => group.rules)) {
    if (names.has(rule.name)) throw new Error(`${rule.name}: defined twice`);
    names.add(rule.name);
  }
  return groups;
}

/**
 * The alert groups of services an environment does not run yet: their rules are tested and
 * their runbooks kept before the service is enabled anywhere.
 */
export function disabledServiceAlertGroups(environment: Environment): AlertGroup[] {
  const groups: AlertGroup[] = [];
  if (!environment.services.purchasing.enabled) groups.push(purchasingAlerts(environment));
  if (!environment.services.exchange.enabled) groups.push(exchangeAlerts(environment));
  if (!environment.services["exchange-edge"].enabled) groups.push(exchangeEdgeAlerts(environment));
  if (!environment.services.escrow.enabled) groups.push(escrowAlerts(environment));
  return groups;
}
