/**
 * @module What every control resource shares: the group, the common spec fields (reason,
 * ticket, requestedBy, expiresAt, dryRun), the status (phase, conditions, enforcement,
 * timestamps) and the CustomResourceDefinition wrapper around a kind's own fields.
 */
import {
  array,
  boolean,
  type CelRule,
  enumeration,
  integer,
  type JsonSchema,
  object,
  string,
  timestamp,
} from "./schema";

export const controlGroup = "ops.breakwater.dev";
export const controlVersion = "v1alpha1";
export const controlCategory = "controls";

/** Phases a control moves through; standing controls rest in Applied, one-shots in Completed. */
export const controlPhases = [
  "Pending",
  "Applied",
  "Completed",
  "Lifted",
  "Expired",
  "Failed",
] as const;
export type ControlPhase = (typeof controlPhases)[number];

/** Condition types the operator maintains. */
export const conditionTypes = ["Ready", "Enforced", "Approved"] as const;

/** The ticket format the API server accepts, e.g. `INC-1234`. */
export const ticketPattern = "^[A-Z][A-Z0-9]+-[0-9]+$";
/** A reason is a sentence: at least this many characters and at least two words. */
export const reasonMinLength = 12;

/** Common spec fields; `kindFields` come first in `kubectl explain` output order. */
export function commonSpecFields(): Record<string, JsonSchema> {
  return {
    reason: string(
      "Required. Why this control exists, as a sentence an on-call reader understands later " +
        '(e.g. "ledger imbalance on BTC, payouts unsafe until reconciled"). ' +
        "Recorded in every service's audit log.",
      {
        maxLength: 1024,
        rules: [
          {
            rule: `self.size() >= ${reasonMinLength} && self.matches('^\\\\S.*\\\\s.*\\\\S$')`,
            message: `reason must be a sentence of at least ${reasonMinLength} characters and two words, saying why (e.g. "ledger imbalance on BTC, payouts unsafe")`,
          },
        ],
      },
    ),
    ticket: string(
      "Required. The incident or change ticket this control belongs to, like INC-1234. " +
        "Shown in every refusal a service returns while the control is in force.",
      {
        maxLength: 64,
        rules: [
          {
            rule: `self.matches('${ticketPattern}')`,
            message: "ticket must be an issue key like INC-1234 (capital letters, a dash, digits)",
          },
        ],
      },
    ),
    requestedBy: string(
      "Who asked for this control (the Kubernetes user; the admission policy checks it " +
        "names the requesting user). Recorded as the actor in the audit log.",
      { minLength: 1, maxLength: 253 },
    ),
    expiresAt: timestamp(
      "When the control lifts itself (RFC 3339). Must be in the future when the resource " +
        "is created. After it passes the resource stays with phase Expired. Absent: the " +
        "control lasts until the resource is deleted.",
    ),
    dryRun: boolean(
      "Report in status what the control would do, without doing it. Default false.",
      { default: false },
    ),
  };
}

/** Spec-level rules that make the required fields fail with a message a human can act on. */
export function commonSpecRules(): CelRule[] {
  return [
    {
      rule: "has(self.reason)",
      message:
        'spec.reason is required: say why, as a sentence (e.g. "ledger imbalance on BTC, payouts unsafe")',
      reason: "FieldValueRequired",
      fieldPath: ".reason",
    },
    {
      rule: "has(self.ticket)",
      message: "spec.ticket is required: the incident or change ticket, like INC-1234",
      reason: "FieldValueRequired",
      fieldPath: ".ticket",
    },
  ];
}

function conditionSchema(): JsonSchema {
  return object(
    "One aspect of the control's state, in the Kubernetes condition form.",
    {
      type: enumeration(
        "Ready: the operator has converged on the current spec. Enforced: every live " +
          "replica of every target service enforces it. Approved: no approval is pending.",
        conditionTypes,
      ),
      status: enumeration("True, False or Unknown.", ["True", "False", "Unknown"]),
      observedGeneration: integer("The metadata.generation this condition was computed for.", {
        format: "int64",
        minimum: 0,
      }),
      lastTransitionTime: timestamp("When status last changed."),
      reason: string("A CamelCase word saying why (e.g. AwaitingAcknowledgement).", {
        maxLength: 1024,
        minLength: 1,
        pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
      }),
      message: string("A human-readable sentence about the transition.", { maxLength: 32768 }),
    },
    { required: ["type", "status", "lastTransitionTime", "reason", "message"] },
  );
}

function serviceEnforcementSchema(): JsonSchema {
  return object("How one target service holds the control.", {
    service: string("The target service name, from the operator's targets file.", {
      maxLength: 253,
    }),
    controlVersion: integer("The service's control version that carries this control.", {
      format: "int64",
    }),
    acknowledged: integer("Live replicas that hold at least that version.", { minimum: 0 }),
    live: integer("Replicas that are heartbeating.", { minimum: 0 }),
    message: string("The last error talking to this service, if any.", { maxLength: 4096 }),
  });
}

/** The status every control kind carries, plus `extra` fields of its own. */
export function controlStatus(extra: Record<string, JsonSchema> = {}): JsonSchema {
  return object(
    "What the operator observed and did. Written only by the operator, through /status.",
    {
      observedGeneration: integer("The metadata.generation the operator last acted on.", {
        format: "int64",
        minimum: 0,
      }),
      phase: enumeration(
        "Pending (accepted, not yet in force), Applied (standing control in force), " +
          "Completed (one-shot action done, or a dry run reported), Lifted (removed on " +
          "deletion), Expired (expiresAt passed, the control is lifted), Failed (see message).",
        controlPhases,
      ),
      conditions: array("Ready, Enforced and Approved.", conditionSchema(), 8, {
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
      enforcement: object("Which replicas hold the control.", {
        acknowledged: integer("Live replicas, across target services, that acknowledged it.", {
          minimum: 0,
        }),
        live: integer("Live replicas across target services.", { minimum: 0 }),
        summary: string('"acknowledged/live", for the printer column.', { maxLength: 32 }),
        services: array("Per target service.", serviceEnforcementSchema(), 64),
      }),
      target: string("A short description of what the control touches.", { maxLength: 1024 }),
      message: string("The latest thing a human should know.", { maxLength: 32768 }),
      appliedAt: timestamp("When the control was first sent to its targets."),
      enforcedAt: timestamp("When every live replica first acknowledged it."),
      liftedAt: timestamp("When the control was lifted."),
      expiredAt: timestamp("When the control expired."),
      completedAt: timestamp("When a one-shot action (or a dry run) finished."),
      ...extra,
    },
  );
}

/** Printer columns; `targetPath` is the kind's own "what does it touch" JSONPath. */
export function printerColumns(targetPath: string, extra: JsonSchema[] = []): JsonSchema[] {
  return [
    { name: "Target", type: "string", jsonPath: targetPath, description: "What it touches." },
    ...extra,
    { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Phase." },
    {
      name: "Enforced",
      type: "string",
      jsonPath: ".status.enforcement.summary",
      description: "Acknowledged/live replicas.",
    },
    { name: "Ticket", type: "string", jsonPath: ".spec.ticket", description: "The ticket." },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ];
}

export interface ControlKindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly description: string;
  /** The kind's own spec fields (added to the common ones). */
  readonly specFields: Record<string, JsonSchema>;
  readonly specRequired: readonly string[];
  readonly specRules?: readonly CelRule[];
  readonly statusFields?: Record<string, JsonSchema>;
  readonly columns: JsonSchema[];
  /** One-shot actions run once and their spec can never change. */
  readonly oneShot: boolean;
}

/** The apiextensions.k8s.io/v1 CustomResourceDefinition for one control kind. */
export function customResourceDefinition(definition: ControlKindDefinition) {
  const specRules = [...commonSpecRules(), ...(definition.specRules ?? [])];
  if (definition.oneShot) {
    specRules.push({
      rule: "self == oldSelf",
      message: `${definition.kind} is a one-shot action: its spec is immutable; create a new ${definition.kind} instead`,
    });
  }
  const spec = object(
    `What the ${definition.kind} asks for.`,
    { ...definition.specFields, ...commonSpecFields() },
    {
      // reason and ticket are required by CEL rules rather than `required`, because a missing
      // `required` field stops the API server before CEL runs and its message is only
      // "Required value"; the rules say what to write instead.
      required: [...definition.specRequired, "requestedBy"],
      rules: specRules,
    },
  );
  const schema = object(definition.description, {
    apiVersion: string("The versioned schema of this object.", { maxLength: 253 }),
    kind: string("The REST resource this object represents.", { maxLength: 253 }),
    metadata: { type: "object" },
    spec,
    status: controlStatus(definition.statusFields),
  });
  schema.required = ["spec"];
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${definition.plural}.${controlGroup}`,
      labels: { "app.kubernetes.io/part-of": "breakwater", "ops.breakwater.dev/control": "true" },
    },
    spec: {
      group: controlGroup,
      scope: "Namespaced",
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular: definition.singular,
        shortNames: [...definition.shortNames],
        categories: [controlCategory],
      },
      versions: [
        {
          name: controlVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: definition.columns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}
