/**
 * @module What every control resource shares: the group, the common spec fields (reason,
 * ticket, requestedBy, expiresAt, dryRun), the status (phase, conditions, enforcement,
 * overlap, timestamps) and the printer columns, all as zod schemas (see schema.ts).
 */
import { z } from "@hono/zod-openapi";
import { type CelRule, celRules, type JsonSchema, timestamp } from "./schema";

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
export const conditionTypes = ["Ready", "Enforced", "Approved", "InForce"] as const;
export type ConditionType = (typeof conditionTypes)[number];

/** The ticket format the API server accepts, e.g. `INC-1234`. */
export const ticketPattern = "^[A-Z][A-Z0-9]+-[0-9]+$";
/** A reason is a sentence: at least this many characters and at least two words. */
export const reasonMinLength = 12;

const reasonRequired =
  'spec.reason is required: say why, as a sentence (e.g. "ledger imbalance on BTC, payouts unsafe")';
const ticketRequired = "spec.ticket is required: the incident or change ticket, like INC-1234";

/** A missing required string says `message` (the same as its `has()` rule), not zod's words. */
function requiredString(message: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? message : undefined) });
}

/** Common spec fields; a kind's own fields come first in `kubectl explain` output order. */
export const commonSpecFields = {
  reason: celRules(
    requiredString(reasonRequired)
      .max(1024)
      .meta({
        description:
          "Required. Why this control exists, as a sentence an on-call reader understands later " +
          '(e.g. "ledger imbalance on BTC, payouts unsafe until reconciled"). ' +
          "Recorded in every service's audit log.",
      }),
    [
      {
        rule: `self.size() >= ${reasonMinLength} && self.matches('^\\\\S.*\\\\s.*\\\\S$')`,
        message: `reason must be a sentence of at least ${reasonMinLength} characters and two words, saying why (e.g. "ledger imbalance on BTC, payouts unsafe")`,
      },
    ],
  ),
  ticket: celRules(
    requiredString(ticketRequired)
      .max(64)
      .meta({
        description:
          "Required. The incident or change ticket this control belongs to, like INC-1234. " +
          "Shown in every refusal a service returns while the control is in force.",
      }),
    [
      {
        rule: `self.matches('${ticketPattern}')`,
        message: "ticket must be an issue key like INC-1234 (capital letters, a dash, digits)",
      },
    ],
  ),
  requestedBy: z
    .string()
    .min(1)
    .max(253)
    .meta({
      description:
        "Who asked for this control (the Kubernetes user; the admission policy checks it " +
        "names the requesting user). Recorded as the actor in the audit log.",
    }),
  expiresAt: timestamp(
    "When the control lifts itself (RFC 3339). Must be in the future when the resource " +
      "is created. After it passes the resource stays with phase Expired. Absent: the " +
      "control lasts until the resource is deleted.",
  ).optional(),
  publicMessage: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .meta({
      description:
        "What the status page tells customers while the control is in force (no ticket, no " +
        "internal names). Absent: the kind's default message.",
    }),
  dryRun: z.boolean().default(false).meta({
    description: "Report in status what the control would do, without doing it. Default false.",
  }),
};

/**
 * Spec-level rules that make the required fields fail with a message a human can act on.
 * reason and ticket are required by these rules rather than by `required` in the CRD,
 * because a missing `required` field stops the API server before CEL runs and its message
 * is only "Required value"; the generator leaves out of `required` whatever a `has()` rule
 * here covers.
 */
export const commonSpecRules: readonly CelRule[] = [
  {
    rule: "has(self.reason)",
    message: reasonRequired,
    reason: "FieldValueRequired",
    fieldPath: ".reason",
  },
  {
    rule: "has(self.ticket)",
    message: ticketRequired,
    reason: "FieldValueRequired",
    fieldPath: ".ticket",
  },
];

const conditionSchema = z
  .object({
    type: z.enum(conditionTypes).meta({
      description:
        "Ready: the operator has converged on the current spec. Enforced: every live " +
        "replica of every target service enforces it. Approved: no approval is pending. " +
        "InForce: no more restrictive control of the same kind decides its target.",
    }),
    status: z.enum(["True", "False", "Unknown"]).meta({ description: "True, False or Unknown." }),
    observedGeneration: z.int().min(0).optional().meta({
      description: "The metadata.generation this condition was computed for.",
      format: "int64",
    }),
    lastTransitionTime: timestamp("When status last changed."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .meta({ description: "A CamelCase word saying why (e.g. AwaitingAcknowledgement)." }),
    message: z
      .string()
      .max(32768)
      .meta({ description: "A human-readable sentence about the transition." }),
  })
  .meta({ description: "One aspect of the control's state, in the Kubernetes condition form." });

const serviceEnforcementSchema = z
  .object({
    service: z
      .string()
      .max(253)
      .meta({ description: "The target service name, from the operator's targets file." }),
    controlVersion: z.int().optional().meta({
      description: "The service's control version that carries this control.",
      format: "int64",
    }),
    acknowledged: z
      .int()
      .min(0)
      .meta({ description: "Live replicas that hold at least that version." }),
    live: z.int().min(0).meta({ description: "Replicas that are heartbeating." }),
    message: z
      .string()
      .max(4096)
      .optional()
      .meta({ description: "The last error talking to this service, if any." }),
  })
  .meta({ description: "How one target service holds the control." });

/** Names a control by `namespace/name`. */
const controlReference = z.string().max(512).meta({ description: "A control, as namespace/name." });

const overlapSchema = z
  .object({
    target: z.string().max(1024).meta({
      description: "What several controls touch at once, e.g. currency BTC, service payments.",
    }),
    inForce: controlReference.meta({
      description:
        "The control that decides this target: the most restrictive, then the newest (the one " +
        "a refusal names).",
    }),
    controls: z
      .array(controlReference)
      .max(64)
      .meta({ description: "Every control of this kind that touches it, the one in force first." }),
  })
  .meta({ description: "A target this control shares with other controls of its kind." });

/** The status every control kind carries (its own fields come from the kind definition). */
export const commonStatusFields = {
  observedGeneration: z
    .int()
    .min(0)
    .optional()
    .meta({ description: "The metadata.generation the operator last acted on.", format: "int64" }),
  phase: z
    .enum(controlPhases)
    .optional()
    .meta({
      description:
        "Pending (accepted, not yet in force), Applied (standing control in force), " +
        "Completed (one-shot action done, or a dry run reported), Lifted (removed on " +
        "deletion), Expired (expiresAt passed, the control is lifted), Failed (see message).",
    }),
  conditions: z
    .array(conditionSchema)
    .max(8)
    .optional()
    .meta({
      description: "Ready, Enforced, Approved and InForce.",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["type"],
    }),
  enforcement: z
    .object({
      acknowledged: z
        .int()
        .min(0)
        .meta({ description: "Live replicas, across target services, that acknowledged it." }),
      live: z.int().min(0).meta({ description: "Live replicas across target services." }),
      summary: z
        .string()
        .max(32)
        .meta({ description: '"acknowledged/live", for the printer column.' }),
      services: z
        .array(serviceEnforcementSchema)
        .max(64)
        .meta({ description: "Per target service." }),
    })
    .partial()
    .optional()
    .meta({ description: "Which replicas hold the control." }),
  target: z
    .string()
    .max(1024)
    .optional()
    .meta({ description: "A short description of what the control touches." }),
  inForce: z
    .boolean()
    .optional()
    .meta({
      description:
        "Whether this control decides at least one of its targets. False when more restrictive " +
        "(or equally restrictive and newer) controls of its kind cover all it touches.",
    }),
  supersededBy: z
    .array(controlReference)
    .max(64)
    .optional()
    .meta({ description: "The controls that decide targets this one also touches." }),
  overlaps: z.array(overlapSchema).max(64).optional().meta({
    description: "Targets shared with other controls of this kind, and which one is in force.",
  }),
  message: z
    .string()
    .max(32768)
    .optional()
    .meta({ description: "The latest thing a human should know." }),
  appliedAt: timestamp("When the control was first sent to its targets.").optional(),
  enforcedAt: timestamp("When every live replica first acknowledged it.").optional(),
  liftedAt: timestamp("When the control was lifted.").optional(),
  expiredAt: timestamp("When the control expired.").optional(),
  completedAt: timestamp("When a one-shot action (or a dry run) finished.").optional(),
};

export const commonStatusSchema = z.object(commonStatusFields);
/** What every control's status may hold, as the operator writes it. */
export type CommonControlStatus = z.infer<typeof commonStatusSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ServiceEnforcement = z.infer<typeof serviceEnforcementSchema>;
export type Overlap = z.infer<typeof overlapSchema>;

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

/** A kind's `services`: one or more service names from the operator's targets file. */
export function serviceNameList(description: string) {
  return z
    .array(
      z
        .string()
        .max(63)
        .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
        .meta({ description: "A service name." }),
    )
    .min(1)
    .max(32)
    .refine((values) => new Set(values).size === values.length, "values must be unique")
    .meta({ description, "x-kubernetes-list-type": "set" });
}
