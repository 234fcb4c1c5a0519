/**
 * @module The reconciler shared by standing controls (WithdrawalHalt, SymbolMode,
 * ProviderDisable): from the object and what each target service reports, converge on
 * "every live replica of every service in scope holds this control" — or, once deleted or
 * expired, "no service holds it". Level-triggered: every reconcile PUTs the current spec
 * (an identical PUT is a no-op in the service) and recomputes the acknowledgements.
 */
import type { z } from "zod";
import {
  AdminApiError,
  type AdminClient,
  type ControlPut,
  type ControlsList,
  type ReplicaAcknowledgement,
} from "../admin-client";
import type { Contender, InForceReport } from "../crds/in-force";
import type { ControlKindName, ControlSpec } from "../crds/index";
import type { ControlTarget } from "../crds/kind";
import { type ConditionInput, setConditions } from "../runtime/conditions";
import { liftFinalizer } from "../runtime/control-client";
import type { ReconcileResult, Reconciler } from "../runtime/controller";
import { type ControlObject, type ControlStatus, objectKey } from "../runtime/resource";
import { commitStatus } from "../runtime/status";
import type { EnforcedKind } from "../targets";
import { approvalCondition, awaitingApproval } from "./approval";
import type { ReconcilerContext } from "./context";
import { Rivals } from "./rivals";

/** A spec read with its kind's schema: what is sent, where, and how it reads. */
interface ReadSpec {
  readonly put: Pick<ControlPut, "kind" | "spec">;
  /** Services the spec names (empty: every service that enforces the kind). */
  readonly services: string[];
  /** A short description for the Target column, e.g. "payouts in BTC". */
  readonly target: string;
  /** What it competes for with other controls of its kind, and how restrictive it is. */
  readonly targets: readonly ControlTarget[];
  readonly rank: number;
}

/** A live replica of a target service, as its heartbeat reports it. */
export interface ServiceReplica {
  readonly service: string;
  readonly replica: ReplicaAcknowledgement;
}

/** What a standing kind adds to the shared logic. */
export interface StandingKind {
  readonly kind: EnforcedKind;
  /** The object's spec read with the kind's schema, or why it cannot be. */
  read(spec: unknown): ReadSpec | { readonly error: string };
  /**
   * Whether a live replica that holds the control's version also does what it asks (e.g. a
   * RedisFailover: it uses the secondary). @default it holds the version
   */
  readonly acknowledges?: (replica: ReplicaAcknowledgement) => boolean;
  /** The kind's own status fields from the live replicas in scope. */
  readonly replicaStatus?: (replicas: readonly ServiceReplica[]) => Record<string, unknown>;
}

/** A standing kind from its definition (operators/crds/) and how its spec reads. */
export function standingKind<
  K extends EnforcedKind & ControlKindName,
  S extends z.ZodType<ControlSpec<ControlKindName>>,
>(
  definition: {
    readonly kind: K;
    readonly spec: S;
    targets(spec: z.infer<S>): readonly ControlTarget[];
    rank(spec: z.infer<S>): number;
  },
  parts: {
    services(spec: z.infer<S>): string[];
    describe(spec: z.infer<S>): string;
  } & Pick<StandingKind, "acknowledges" | "replicaStatus">,
): StandingKind {
  return {
    kind: definition.kind,
    acknowledges: parts.acknowledges,
    replicaStatus: parts.replicaStatus,
    read(raw) {
      const parsed = definition.spec.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { error: `spec.${issue?.path.join(".")}: ${issue?.message}` };
      }
      const spec: ControlSpec<ControlKindName> = parsed.data;
      return {
        put: { kind: definition.kind, spec },
        services: parts.services(parsed.data),
        target: parts.describe(parsed.data),
        targets: definition.targets(parsed.data),
        rank: definition.rank(parsed.data),
      };
    },
  };
}

export interface StandingDependencies extends ReconcilerContext {
  /** Admin clients of the services that enforce this kind, by service name. */
  readonly services: () => ReadonlyMap<string, AdminClient>;
  /** While replicas have not all acknowledged, poll this often. @default 20 */
  readonly acknowledgementPollMs?: number;
}

/** `withdrawalhalt.<namespace>.<name>`: the id services store the control under. */
export function controlId(object: ControlObject): string {
  return `${object.kind.toLowerCase()}.${object.metadata.namespace}.${object.metadata.name}`;
}

interface ServiceState {
  service: string;
  controlVersion?: number;
  acknowledged: number;
  live: number;
  message?: string;
}

/** A service's state with what stays out of `status.enforcement`. */
interface ServiceReport {
  readonly state: ServiceState;
  readonly replicas: readonly ReplicaAcknowledgement[];
  /** The service refused the control (409: a precondition of the kind is not met there). */
  readonly refused?: string;
}

export function standingControlReconciler(
  kind: StandingKind,
  deps: StandingDependencies,
): Reconciler {
  const pollMs = deps.acknowledgementPollMs ?? 20;

  /** The Target column: what the spec touches, as far as it can be read. */
  function describe(object: ControlObject): string {
    const read = kind.read(object.spec);
    return "error" in read ? "a spec this operator cannot read" : read.target;
  }

  function liftBody(object: ControlObject, why: string) {
    return { actor: object.spec.requestedBy, reason: why, ticket: object.spec.ticket };
  }

  /** Lift from every service that enforces the kind (absent is fine). Throws on failure. */
  async function liftEverywhere(object: ControlObject, why: string): Promise<void> {
    const id = controlId(object);
    await Promise.all(
      [...deps.services().values()].map((client) => client.lift(id, liftBody(object, why))),
    );
  }

  function status(
    object: ControlObject,
    fields: ControlStatus,
    conditions: Parameters<typeof setConditions>[1],
    competition: Competition = notInForce(fields.phase),
  ) {
    const now = deps.now();
    const previous = object.status ?? {};
    return {
      ...previous,
      ...fields,
      ...competition.fields,
      observedGeneration: object.metadata.generation,
      target: describe(object),
      conditions: setConditions(
        previous.conditions,
        [...conditions, competition.condition],
        object.metadata.generation,
        now,
      ),
    } satisfies ControlStatus;
  }

  /** As a rival of the others: only what is (about to be) enforced competes. */
  function contenderOf(object: ControlObject, asPeer: boolean): Contender | undefined {
    if (object.metadata.deletionTimestamp || object.spec.dryRun || awaitingApproval(object)) return;
    if (object.spec.expiresAt && Date.parse(object.spec.expiresAt) <= deps.now().getTime()) return;
    if (asPeer && settledPhases.has(object.status?.phase ?? "")) return;
    const read = kind.read(object.spec);
    if ("error" in read) return;
    return {
      key: objectKey(object),
      rank: read.rank,
      createdAt: object.metadata.creationTimestamp,
      targets: read.targets,
    };
  }

  const rivals = new Rivals((object) => contenderOf(object, true));

  function inForce(object: ControlObject): Competition {
    const self = contenderOf(object, false);
    return self ? competition(self.key, rivals.report(self)) : notInForce(undefined);
  }

  async function finalize(object: ControlObject): Promise<ReconcileResult> {
    if (!object.metadata.finalizers?.includes(liftFinalizer)) return { inForce: false };
    await liftEverywhere(object, `${object.kind} ${object.metadata.name} deleted`);
    const now = deps.now().toISOString();
    const lifted = await commitStatus(
      deps.client,
      deps.events,
      object,
      status(
        object,
        {
          phase: "Lifted",
          liftedAt: now,
          message: `lifted from every service: ${describe(object)}`,
        },
        [
          {
            type: "Ready",
            status: true,
            reason: "Lifted",
            message: "the control was deleted and lifted",
          },
          { type: "Enforced", status: false, reason: "Lifted", message: "lifted" },
          approvalCondition(object),
        ],
      ),
    ).catch(() => object); // A status write on a disappearing object may fail; lifting is what counts.
    await deps.client.removeFinalizer(lifted);
    return { inForce: false };
  }

  async function expire(object: ControlObject): Promise<ReconcileResult> {
    if (
      object.status?.phase === "Expired" &&
      object.status.observedGeneration === object.metadata.generation
    ) {
      return { inForce: false };
    }
    await liftEverywhere(object, `expired at ${object.spec.expiresAt}`);
    await commitStatus(
      deps.client,
      deps.events,
      object,
      status(
        object,
        {
          phase: "Expired",
          expiredAt: object.status?.expiredAt ?? deps.now().toISOString(),
          enforcement: { acknowledged: 0, live: 0, summary: "-", services: [] },
          message: `expired at ${object.spec.expiresAt}; lifted from every service`,
        },
        [
          {
            type: "Ready",
            status: true,
            reason: "Expired",
            message: `expired at ${object.spec.expiresAt}`,
          },
          { type: "Enforced", status: false, reason: "Expired", message: "lifted when it expired" },
          approvalCondition(object),
        ],
      ),
    );
    return { inForce: false };
  }

  async function awaitApproval(object: ControlObject): Promise<ReconcileResult> {
    const approval = approvalCondition(object);
    // Approval withdrawn after it was applied: nothing unapproved stays in force.
    if (object.status?.appliedAt) await liftEverywhere(object, "approval withdrawn");
    await commitStatus(
      deps.client,
      deps.events,
      object,
      status(
        object,
        {
          phase: "Pending",
          message: approval.message,
          appliedAt: undefined,
          enforcedAt: undefined,
        },
        [
          { type: "Ready", status: false, reason: "AwaitingApproval", message: approval.message },
          {
            type: "Enforced",
            status: false,
            reason: "AwaitingApproval",
            message: "not approved yet",
          },
          approval,
        ],
      ),
    );
    return { inForce: false };
  }

  async function fail(
    object: ControlObject,
    reason: string,
    message: string,
  ): Promise<ReconcileResult> {
    await commitStatus(
      deps.client,
      deps.events,
      object,
      status(object, { phase: "Failed", message }, [
        { type: "Ready", status: false, reason, message },
        { type: "Enforced", status: false, reason, message },
        approvalCondition(object),
      ]),
    );
    return { inForce: false };
  }

  async function dryRun(
    object: ControlObject,
    inScope: Map<string, AdminClient>,
  ): Promise<ReconcileResult> {
    const id = controlId(object);
    const lists = await Promise.all(
      [...deps.services()].map(
        async ([name, client]) => [name, client, await client.list()] as const,
      ),
    );
    // A control switched to dryRun after being applied is lifted: a dry run halts nothing.
    await Promise.all(
      lists
        .filter(([, , list]) => list.controls.some((control) => control.id === id))
        .map(([, client]) => client.lift(id, liftBody(object, "switched to dry run"))),
    );
    const wouldHalt = lists
      .filter(([name]) => inScope.has(name))
      .map(([name, , list]) => ({ service: name, live: liveReplicas(list) }));
    const live = wouldHalt.reduce((sum, service) => sum + service.live, 0);
    const message = `dry run: would enforce ${kind.kind} (${describe(object)}) on ${wouldHalt.map((s) => `${s.service} (${s.live} live replicas)`).join(", ")}; nothing was changed`;
    await commitStatus(
      deps.client,
      deps.events,
      object,
      status(
        object,
        {
          phase: "Completed",
          completedAt: object.status?.completedAt ?? deps.now().toISOString(),
          wouldHalt,
          enforcement: { acknowledged: 0, live, summary: `0/${live}`, services: [] },
          message,
        },
        [
          { type: "Ready", status: true, reason: "DryRun", message },
          { type: "Enforced", status: false, reason: "DryRun", message: "dry run: not enforced" },
          approvalCondition(object),
        ],
      ),
    );
    return { inForce: false };
  }

  async function enforce(
    object: ControlObject,
    inScope: Map<string, AdminClient>,
    read: ReadSpec,
  ): Promise<ReconcileResult> {
    const id = controlId(object);
    const body: ControlPut = {
      ...read.put,
      source: {
        uid: object.metadata.uid,
        generation: object.metadata.generation,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
      },
      reason: object.spec.reason,
      ticket: object.spec.ticket,
      actor: object.spec.requestedBy,
      ...(object.spec.expiresAt ? { expiresAt: object.spec.expiresAt } : {}),
    };
    const outOfScope = [...deps.services()].filter(([name]) => !inScope.has(name));
    const seen = object.status?.observedGeneration === object.metadata.generation;
    // The finalizer and the PUTs go out together: time to enforce matters more than the
    // round trip saved. If the object is deleted before its finalizer lands, `gone` lifts it.
    const [withFinalizer, states] = await Promise.all([
      deps.client.addFinalizer(object),
      Promise.all([...inScope].map(([name, client]) => applyTo(name, client, id, body, seen))),
      // Narrowed scope: the services no longer in it must not keep enforcing it.
      Promise.all(
        outOfScope.map(([, client]) => client.lift(id, liftBody(object, "out of scope"))),
      ),
    ]);
    return record(withFinalizer, states);
  }

  /**
   * Make `service` hold the control and count its acknowledgements. A generation not yet
   * seen is PUT at once (time to enforce); later reconciles (acknowledgement polling,
   * resync) read first and PUT only what the service lost or holds at another generation.
   */
  async function applyTo(
    service: string,
    client: AdminClient,
    id: string,
    body: Parameters<AdminClient["put"]>[1],
    seen: boolean,
  ): Promise<ServiceReport> {
    try {
      let list = seen ? await client.list() : undefined;
      let version = list?.controls.find(
        (control) =>
          control.id === id &&
          control.source.uid === body.source.uid &&
          control.source.generation === body.source.generation,
      )?.version;
      if (version === undefined) {
        version = (await client.put(id, body)).version;
        list = await client.list();
      }
      const live = list!.replicas.filter((replica) => replica.live);
      const acknowledged = live.filter(
        (replica) => replica.version >= version && (kind.acknowledges?.(replica) ?? true),
      ).length;
      const state = { service, controlVersion: version, acknowledged, live: live.length };
      return { state, replicas: live };
    } catch (error) {
      const message = (error as Error).message;
      const state = { service, acknowledged: 0, live: 0, message };
      const refused = error instanceof AdminApiError && error.status === 409;
      return { state, replicas: [], ...(refused ? { refused: message } : {}) };
    }
  }

  async function record(object: ControlObject, reports: ServiceReport[]): Promise<ReconcileResult> {
    const refusals = reports.flatMap((report) => (report.refused ? [report.refused] : []));
    // A service that cannot enforce the kind will not until its settings change: say so and
    // retry on the resync, rather than as if it were unreachable.
    if (refusals.length > 0) {
      await fail(object, "PreconditionFailed", `refused: ${refusals.join("; ")}`);
      return { inForce: false, requeueAfterMs: 30_000 };
    }
    const states = reports.map((report) => report.state);
    const replicas = reports.flatMap((report) =>
      report.replicas.map((replica) => ({ service: report.state.service, replica })),
    );
    const standing = inForce(object);
    const acknowledged = states.reduce((sum, state) => sum + state.acknowledged, 0);
    const live = states.reduce((sum, state) => sum + state.live, 0);
    const errors = states.filter((state) => state.message !== undefined);
    const enforced =
      errors.length === 0 &&
      states.every((state) => state.live > 0 && state.acknowledged === state.live);
    const now = deps.now().toISOString();
    const previous = object.status ?? {};
    const sameGeneration = previous.observedGeneration === object.metadata.generation;
    const message = enforced
      ? `enforced by ${acknowledged}/${live} live replicas: ${describe(object)}`
      : errors.length > 0
        ? `not enforced: ${errors.map((state) => state.message).join("; ")}`
        : `waiting for replicas to acknowledge: ${states.map((s) => `${s.service} ${s.acknowledged}/${s.live}${s.live === 0 ? " (no live replica)" : ""}`).join(", ")}`;
    const reason = enforced
      ? "Acknowledged"
      : errors.length > 0
        ? "ServiceUnavailable"
        : "AwaitingAcknowledgement";
    await commitStatus(
      deps.client,
      deps.events,
      object,
      status(
        object,
        {
          phase: enforced ? "Applied" : "Pending",
          appliedAt: previous.appliedAt ?? now,
          enforcedAt: enforced
            ? sameGeneration && previous.enforcedAt
              ? previous.enforcedAt
              : now
            : undefined,
          enforcement: { acknowledged, live, summary: `${acknowledged}/${live}`, services: states },
          ...kind.replicaStatus?.(replicas),
          message,
        },
        [
          { type: "Ready", status: enforced, reason, message },
          { type: "Enforced", status: enforced, reason, message },
          approvalCondition(object),
        ],
        standing,
      ),
    );
    if (errors.length > 0) throw new Error(message);
    if (!enforced) return { inForce: false, requeueAfterMs: live === 0 ? 1000 : pollMs };
    const expiresInMs = object.spec.expiresAt
      ? Date.parse(object.spec.expiresAt) - deps.now().getTime()
      : undefined;
    return {
      inForce: true,
      ...(expiresInMs !== undefined ? { requeueAfterMs: Math.max(0, expiresInMs) } : {}),
    };
  }

  return {
    kind: kind.kind,
    observe: (key, object, related) => rivals.update(key, object, related),
    async gone(namespace, name) {
      const id = `${kind.kind.toLowerCase()}.${namespace}.${name}`;
      const lift = { reason: `${kind.kind} ${namespace}/${name} no longer exists` };
      await Promise.all([...deps.services().values()].map((client) => client.lift(id, lift)));
    },
    async reconcile(object) {
      if (object.metadata.deletionTimestamp) return finalize(object);
      const read = kind.read(object.spec);
      // The API server admitted it, so only a schema newer than the CRD gets here: refuse it.
      if ("error" in read) return fail(object, "InvalidSpec", `not enforced: ${read.error}`);
      const named = read.services;
      const all = deps.services();
      const unknown = named.filter((name) => !all.has(name));
      if (unknown.length > 0) {
        return fail(
          object,
          "UnknownService",
          `no target service ${unknown.join(", ")} enforces ${kind.kind} (known: ${[...all.keys()].join(", ") || "none"}); check the operator's targets file`,
        );
      }
      const inScope = new Map(
        [...all].filter(([name]) => named.length === 0 || named.includes(name)),
      );
      if (inScope.size === 0)
        return fail(
          object,
          "NoTargets",
          `no service enforces ${kind.kind}; add one to the operator's targets file`,
        );
      if (object.spec.expiresAt && Date.parse(object.spec.expiresAt) <= deps.now().getTime())
        return expire(object);
      if (object.spec.dryRun) return dryRun(object, inScope);
      if (awaitingApproval(object)) return awaitApproval(object);
      return enforce(object, inScope, read);
    },
  };
}

function liveReplicas(list: ControlsList): number {
  return list.replicas.filter((replica) => replica.live).length;
}

/** Phases in which a control enforces nothing, so it is nobody's rival. */
const settledPhases = new Set(["Failed", "Lifted", "Expired", "Completed"]);

/** The status fields and the InForce condition of a control among its rivals. */
interface Competition {
  readonly fields: Pick<ControlStatus, "inForce" | "supersededBy" | "overlaps">;
  readonly condition: ConditionInput;
}

function notInForce(phase: string | undefined): Competition {
  return {
    fields: { inForce: false, supersededBy: undefined, overlaps: undefined },
    condition: {
      type: "InForce",
      status: false,
      reason: "NotEnforced",
      message: `not enforced (${phase ?? "Pending"}), so it decides nothing`,
    },
  };
}

function competition(self: string, report: InForceReport): Competition {
  const fields = {
    inForce: report.inForce,
    supersededBy: report.supersededBy.length > 0 ? report.supersededBy.slice(0, 64) : undefined,
    overlaps: report.overlaps.length > 0 ? report.overlaps.slice(0, 64) : undefined,
  };
  const elsewhere = (keys: (key: string) => boolean) =>
    report.overlaps
      .filter((overlap) => keys(overlap.inForce))
      .map((overlap) => `${overlap.target} by ${overlap.inForce}`)
      .join("; ");
  if (!report.inForce) {
    return {
      fields,
      condition: {
        type: "InForce",
        status: false,
        reason: "Superseded",
        message: `superseded: more restrictive controls decide all it touches (${elsewhere((key) => report.supersededBy.includes(key))}); it takes over if they go`,
      },
    };
  }
  const shared = elsewhere((key) => key !== self);
  return {
    fields,
    condition: {
      type: "InForce",
      status: true,
      reason: shared ? "Shared" : "InForce",
      message: shared
        ? `in force; where others touch the same, the one in force (named in refusals) is: ${shared}`
        : "in force: no other control of its kind touches what it touches",
    },
  };
}
