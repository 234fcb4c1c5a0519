/**
 * @module The shape of an automation rule (`policies/automation/*.yaml`): which alert it
 * answers, which control it creates from the alert's labels, in which mode per environment,
 * and its limits. The autopilot and `npm run synth` both refuse a malformed rule.
 */
import { z } from "zod";
import { controlKinds } from "../../operators/crds/index";

export const automationModes = ["auto", "approval", "dryRun"] as const;
/** auto: create the control; approval: create it awaiting a human; dryRun: record only. */
export type AutomationMode = (typeof automationModes)[number];

/**
 * Kinds a resolved alert may lift (`liftOnResolve`). None today: a halt, a symbol mode and a
 * provider disable protect money, and a person lifts them; a one-shot action has nothing to
 * lift. A kind joins this list only when lifting it can never release money.
 */
export const kindsSafeToLift: readonly string[] = [];

const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** `{{label}}` inside a spec string: replaced with that alert label's value. */
export const templatePattern = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

const modeSchema = z.enum(automationModes, { error: "expected auto, approval or dryRun" });
const positive = (max: number) => z.number().int().positive().max(max);

const ruleSchema = z
  .strictObject({
    /** Names the rule in labels, metrics and control names. */
    name: z
      .string()
      .max(40, { error: "at most 40 characters (the control name adds the target)" })
      .regex(dnsLabel, { error: "expected lower-case letters, digits and dashes" }),
    alert: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "expected a CamelCase alert name" }),
    /** Further labels the alert must carry with exactly these values. */
    matchers: z.record(z.string().regex(labelName), z.string()).default({}),
    /** The alert labels that say what is acted on: one control per distinct target. */
    target: z
      .array(z.string().regex(labelName, { error: "expected a Prometheus label name" }))
      .min(1, { error: "name at least one label" })
      .max(4),
    control: z.strictObject({
      kind: z.enum(
        controlKinds.map((definition) => definition.kind),
        { error: `expected one of ${controlKinds.map((d) => d.kind).join(", ")}` },
      ),
      /** Absent: the autopilot's controls namespace (AUTOPILOT_CONTROLS_NAMESPACE). */
      namespace: z.string().regex(dnsLabel, { error: "expected a namespace name" }).optional(),
      /** The kind's own spec fields; strings may use `{{label}}` of the target labels. */
      spec: z.record(z.string(), z.unknown()),
    }),
    /** The ticket when the alert carries no `ticket` annotation, e.g. the standing INC-1. */
    ticket: z.string().regex(/^[A-Z][A-Z0-9]+-[0-9]+$/, { error: "expected a key like INC-1234" }),
    /** Per environment; absent: the environment's default (features.autopilot). */
    modes: z.strictObject({ dev: modeSchema, staging: modeSchema, prod: modeSchema }).partial(),
    limits: z.strictObject({
      /** At most this many controls per window from this rule. */
      perWindow: positive(1000),
      windowMinutes: positive(24 * 60),
      /** After a control of a target is lifted, no new one for it for this long. */
      cooldownMinutes: positive(7 * 24 * 60),
    }),
    liftOnResolve: z.boolean().default(false),
  })
  .superRefine((rule, context) => {
    if (rule.liftOnResolve && !kindsSafeToLift.includes(rule.control.kind)) {
      context.addIssue({
        code: "custom",
        path: ["liftOnResolve"],
        message: `${rule.control.kind} protects money: a person lifts it, never a resolved alert`,
      });
    }
    for (const label of templateLabels(rule.control.spec)) {
      if (!rule.target.includes(label)) {
        context.addIssue({
          code: "custom",
          path: ["control", "spec"],
          message: `{{${label}}} is not a target label (${rule.target.join(", ")})`,
        });
      }
    }
  });

export const ruleFileSchema = z.strictObject({
  rules: z.array(ruleSchema).min(1, { error: "a rule file holds at least one rule" }),
});

export type AutomationRule = z.infer<typeof ruleSchema>;

/** Every label a spec's strings refer to with `{{label}}`. */
export function templateLabels(value: unknown): string[] {
  if (typeof value === "string") return [...value.matchAll(templatePattern)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(templateLabels);
  if (value && typeof value === "object") return Object.values(value).flatMap(templateLabels);
  return [];
}
