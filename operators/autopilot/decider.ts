/**
 * @module The autopilot's decisions: each firing alert a rule answers becomes at most one
 * control per target (a deterministic name, so storms, re-sends, decay and both peers of an
 * HA Alertmanager find the one that exists), within the cooldown, the rate per rule and the
 * platform budget; each resolved alert is recorded on its control, which stays until a
 * person lifts it (unless the rule may lift a kind marked safe). Decisions run one at a
 * time, so the limits are exact.
 */
import type { Logger } from "pino";
import type { ActiveRule } from "../../policies/automation/load-rules";
import { requiresApprovalAnnotation } from "../reconcilers/approval";
import type { EventRecorder } from "../runtime/events";
import { isStatus, type KubeApi, KubeApiError } from "../runtime/kube-api";
import { type ControlObject, collectionPath, objectPath } from "../runtime/resource";
import {
  type ControlPlan,
  managedByLabel,
  managedByValue,
  PlanError,
  planControl,
  reasonFor,
  resolvedAtAnnotation,
  resourceTypeOf,
  ruleLabel,
  ruleMatches,
  targetAnnotation,
  ticketFor,
} from "./control-plan";
import { type Budget, budgetRemaining, coolingDown, memoryMs, rateLimited } from "./limits";
import type { AutopilotMetrics, DecisionOutcome } from "./metrics";
import { type AutopilotState, liftKey, pruneState, type StateStore } from "./state-store";
import type { WebhookAlert, WebhookPayload } from "./webhook-payload";

export interface Decision {
  readonly rule: string;
  readonly fingerprint: string;
  readonly outcome: DecisionOutcome | "resolution_recorded" | "lifted" | "nothing_to_resolve";
  readonly control?: string;
  readonly message?: string;
}

export interface DeciderOptions {
  readonly api: KubeApi;
  readonly rules: readonly ActiveRule[];
  readonly controlsNamespace: string;
  /** The autopilot's own Kubernetes username: `spec.requestedBy` of what it creates. */
  readonly requestedBy: string;
  readonly budget: Budget;
  readonly store: StateStore;
  readonly metrics: AutopilotMetrics;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly now?: () => number;
}

type Outcome = Pick<Decision, "outcome" | "message"> & { object?: ControlObject };

export class Decider {
  private state: AutopilotState | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: DeciderOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Decide on every alert of one notification, in order. */
  handle(payload: WebhookPayload): Promise<Decision[]> {
    return this.serially(async () => {
      const state = await this.loadedState();
      const standing = await this.standingControls(payload);
      const decisions: Decision[] = [];
      for (const alert of payload.alerts) {
        for (const rule of this.options.rules.filter((candidate) =>
          ruleMatches(candidate, alert),
        )) {
          decisions.push(await this.decideOne(state, rule, alert, standing));
        }
      }
      await this.persist(state);
      return decisions;
    });
  }

  /**
   * Whether the control each firing alert of the notification names exists now, read in
   * parallel before deciding (a storm of one notification costs one read per target).
   */
  private async standingControls(payload: WebhookPayload): Promise<Map<string, boolean>> {
    const paths = new Set<string>();
    for (const alert of payload.alerts) {
      if (alert.status !== "firing") continue;
      for (const rule of this.options.rules.filter((candidate) => ruleMatches(candidate, alert))) {
        try {
          const plan = planControl(rule, alert, this.options.controlsNamespace);
          paths.add(objectPath(plan.type, plan.namespace, plan.name));
        } catch (error) {
          if (!(error instanceof PlanError)) throw error;
        }
      }
    }
    const found = await Promise.all(
      [...paths].map(async (path): Promise<[string, boolean]> => [path, !!(await this.read(path))]),
    );
    return new Map(found);
  }

  /** Notice controls lifted since the last look (the cooldown starts then). */
  sweep(): Promise<void> {
    return this.serially(async () => {
      const state = await this.loadedState();
      for (const [key, entry] of Object.entries(state.open)) {
        const path = objectPath(resourceTypeOf(entry.kind), entry.namespace, entry.name);
        if (!(await this.read(path))) this.markLifted(state, key);
      }
      await this.persist(state);
    });
  }

  /** Forget the state (another replica may have written it): read it again before deciding. */
  forget(): void {
    this.state = undefined;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async loadedState(): Promise<AutopilotState> {
    if (this.state) return this.state;
    const state = await this.options.store.load();
    await this.adoptStanding(state);
    this.state = state;
    return state;
  }

  /** Controls this autopilot created that the state does not know (a crash before saving). */
  private async adoptStanding(state: AutopilotState): Promise<void> {
    const kinds = new Set(this.options.rules.map((rule) => rule.control.kind));
    for (const kind of kinds) {
      const type = resourceTypeOf(kind);
      const selector = encodeURIComponent(`${managedByLabel}=${managedByValue}`);
      const list = await this.options.api.list<{ items: ControlObject[] }>(
        `${collectionPath(type)}?labelSelector=${selector}`,
      );
      for (const object of list.items) {
        const key = `${object.metadata.namespace}/${object.metadata.name}`;
        const rule = object.metadata.labels?.[ruleLabel];
        const target = object.metadata.annotations?.[targetAnnotation];
        if (!state.open[key] && rule && target) {
          state.open[key] = { rule, target, kind, ...pickName(object) };
        }
      }
    }
  }

  private async persist(state: AutopilotState): Promise<void> {
    pruneState(state, this.now(), memoryMs(this.options.rules, this.options.budget));
    this.options.metrics.budgetRemaining.set(
      budgetRemaining(state, this.options.budget, this.now()),
    );
    try {
      await this.options.store.save(state);
    } catch (error) {
      // Another replica wrote the state: decide from what it wrote next time.
      this.forget();
      throw error;
    }
  }

  private async decideOne(
    state: AutopilotState,
    rule: ActiveRule,
    alert: WebhookAlert,
    standing: Map<string, boolean>,
  ): Promise<Decision> {
    let plan: ControlPlan;
    try {
      plan = planControl(rule, alert, this.options.controlsNamespace);
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      return this.report(rule, alert, undefined, { outcome: "invalid", message: error.message });
    }
    const outcome =
      alert.status === "resolved"
        ? await this.resolve(rule, alert, plan)
        : await this.fire(state, rule, alert, plan, standing);
    // Once created (or found created by a peer), a later alert of this notification for the
    // target is a repeat.
    if (outcome.object || outcome.outcome === "deduplicated") {
      standing.set(objectPath(plan.type, plan.namespace, plan.name), true);
    }
    return this.report(rule, alert, plan, outcome);
  }

  private async fire(
    state: AutopilotState,
    rule: ActiveRule,
    alert: WebhookAlert,
    plan: ControlPlan,
    standing: Map<string, boolean>,
  ): Promise<Outcome> {
    const key = `${plan.namespace}/${plan.name}`;
    if (standing.get(objectPath(plan.type, plan.namespace, plan.name))) {
      return { outcome: "deduplicated", message: "the control for this target exists" };
    }
    if (state.open[key]) this.markLifted(state, key);
    const nowMs = this.now();
    if (coolingDown(state, rule, plan.target, nowMs)) {
      return {
        outcome: "cooled_down",
        message: `lifted less than ${rule.limits.cooldownMinutes}m ago`,
      };
    }
    if (rule.mode === "dryRun") return this.create(state, rule, alert, plan, "dry_run");
    if (rateLimited(state, rule, nowMs)) {
      return {
        outcome: "rate_limited",
        message: `${rule.limits.perWindow} controls in ${rule.limits.windowMinutes}m already`,
      };
    }
    if (rule.mode === "approval")
      return this.create(state, rule, alert, plan, "approval_requested");
    const overBudget = budgetRemaining(state, this.options.budget, nowMs) === 0;
    return this.create(state, rule, alert, plan, overBudget ? "over_budget" : "created");
  }

  private async create(
    state: AutopilotState,
    rule: ActiveRule,
    alert: WebhookAlert,
    plan: ControlPlan,
    outcome: "created" | "dry_run" | "approval_requested" | "over_budget",
  ): Promise<Outcome> {
    const needsHuman = outcome === "approval_requested" || outcome === "over_budget";
    const body = {
      apiVersion: `${plan.type.group}/${plan.type.version}`,
      kind: plan.type.kind,
      metadata: {
        name: plan.name,
        namespace: plan.namespace,
        labels: plan.labels,
        annotations: {
          ...plan.annotations,
          ...(needsHuman ? { [requiresApprovalAnnotation]: "true" } : {}),
        },
      },
      spec: {
        ...plan.spec,
        reason: reasonFor(rule, alert, plan.target),
        ticket: ticketFor(rule, alert),
        requestedBy: this.options.requestedBy,
        ...(outcome === "dry_run" ? { dryRun: true } : {}),
      },
    };
    let object: ControlObject;
    try {
      object = await this.options.api.create<ControlObject>(
        collectionPath(plan.type, plan.namespace),
        body,
      );
    } catch (error) {
      if (isStatus(error, 409)) return { outcome: "deduplicated", message: "created by a peer" };
      if (error instanceof KubeApiError && error.status >= 400 && error.status < 500) {
        return { outcome: "invalid", message: error.message };
      }
      throw error;
    }
    if (outcome !== "dry_run") {
      state.created.push({
        rule: rule.name,
        target: plan.target,
        atMs: this.now(),
        automatic: outcome === "created",
      });
    }
    state.open[`${plan.namespace}/${plan.name}`] = {
      rule: rule.name,
      target: plan.target,
      kind: plan.type.kind,
      namespace: plan.namespace,
      name: plan.name,
    };
    return { outcome, object, message: creationMessage(outcome, rule, alert) };
  }

  private async resolve(
    rule: ActiveRule,
    alert: WebhookAlert,
    plan: ControlPlan,
  ): Promise<Outcome> {
    const path = objectPath(plan.type, plan.namespace, plan.name);
    const object = await this.read(path);
    if (!object || object.metadata.labels?.[managedByLabel] !== managedByValue) {
      return { outcome: "nothing_to_resolve" };
    }
    if (rule.liftOnResolve) {
      await this.options.api.delete(path);
      return {
        outcome: "lifted",
        object,
        message: `alert ${rule.alert} resolved; lifted as the rule allows`,
      };
    }
    if (object.metadata.annotations?.[resolvedAtAnnotation] === alert.endsAt) {
      return { outcome: "nothing_to_resolve", message: "this resolution is already recorded" };
    }
    const patched = await this.options.api.patch<ControlObject>(path, {
      metadata: { annotations: { [resolvedAtAnnotation]: alert.endsAt } },
    });
    return {
      outcome: "resolution_recorded",
      object: patched,
      message: `alert ${rule.alert} resolved at ${alert.endsAt}; the control stays until a person deletes it`,
    };
  }

  private async read(path: string): Promise<ControlObject | undefined> {
    try {
      return await this.options.api.get<ControlObject>(path);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private markLifted(state: AutopilotState, key: string): void {
    const entry = state.open[key]!;
    state.lifted[liftKey(entry.rule, entry.target)] = this.now();
    delete state.open[key];
    this.options.log.info({ control: key, rule: entry.rule }, "autopilot control was lifted");
  }

  private report(
    rule: ActiveRule,
    alert: WebhookAlert,
    plan: ControlPlan | undefined,
    result: Outcome,
  ): Decision {
    const { metrics, events, log } = this.options;
    const decision: Decision = {
      rule: rule.name,
      fingerprint: alert.fingerprint,
      outcome: result.outcome,
      ...(plan ? { control: `${plan.namespace}/${plan.name}` } : {}),
      ...(result.message ? { message: result.message } : {}),
    };
    if (result.outcome === "resolution_recorded" || result.outcome === "lifted") {
      metrics.resolutions.inc({ rule: rule.name, outcome: result.outcome });
    } else if (result.outcome !== "nothing_to_resolve") {
      metrics.decisions.inc({ rule: rule.name, outcome: result.outcome });
    }
    if (result.object && result.message) {
      events.record(result.object, "Normal", eventReason(result.outcome), result.message);
    }
    log.info({ ...decision, alertname: rule.alert, mode: rule.mode }, "autopilot decision");
    return decision;
  }
}

function pickName(object: ControlObject) {
  return { namespace: object.metadata.namespace, name: object.metadata.name };
}

function creationMessage(outcome: string, rule: ActiveRule, alert: WebhookAlert): string {
  const why = {
    created: "created it to be enforced now",
    dry_run: "created it as a dry run (nothing is enforced)",
    approval_requested: "created it awaiting a person's approval",
    over_budget: "created it awaiting approval: the platform's automation budget is spent",
  }[outcome];
  return `alert ${rule.alert} fired (fingerprint ${alert.fingerprint}); rule ${rule.name} ${why}`;
}

function eventReason(outcome: Decision["outcome"]): string {
  return (
    {
      created: "AutopilotCreated",
      dry_run: "AutopilotDryRun",
      approval_requested: "AutopilotAwaitingApproval",
      over_budget: "AutopilotOverBudget",
      resolution_recorded: "AlertResolved",
      lifted: "AlertResolvedLifted",
    }[outcome as string] ?? "Autopilot"
  );
}
