/**
 * @module `defineControlKind`: one control kind from one definition. Its zod schemas are the
 * contract: the CRD's structural schema (`customResourceDefinition`), the admin API's
 * validation of `spec`, and the TypeScript types of the operator and the services all come
 * from them. `targets` and `rank` say what a control touches and how restrictive it is, so the
 * operator and the services agree which of several controls is in force.
 */
import { z } from "@hono/zod-openapi";
import {
  commonSpecFields,
  commonSpecRules,
  commonStatusFields,
  controlCategory,
  controlGroup,
  controlVersion,
} from "./common";
import { type CelRule, celRules, celRulesKey, type JsonSchema, structuralSchema } from "./schema";

/**
 * One thing a control touches, one value per dimension (e.g. `{ service: "payments",
 * currency: "BTC" }`); `undefined` means every value of that dimension.
 */
export type ControlTarget = Readonly<Record<string, string | undefined>>;

export interface ControlKindOptions<
  Kind extends string,
  Fields extends z.ZodRawShape,
  StatusFields extends z.ZodRawShape,
> {
  readonly kind: Kind;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** What `kubectl explain <kind>` prints. */
  readonly description: string;
  /** The kind's own spec fields: what the admin API takes as `spec`. */
  readonly fields: Fields;
  /** Rules over the kind's own fields: the CRD and the admin API's validation both run them. */
  readonly specRules?: readonly CelRule[];
  /** The kind's own status fields, next to the common ones. */
  readonly statusFields?: StatusFields;
  readonly columns: JsonSchema[];
  /** One-shot actions run once and their spec can never change. */
  readonly oneShot: boolean;
  /** What a control touches (standing kinds): controls whose targets meet compete. */
  targets?(spec: z.infer<z.ZodObject<Fields>>): readonly ControlTarget[];
  /** How restrictive it is: on a shared target the highest rank, then the newest, wins. */
  rank?(spec: z.infer<z.ZodObject<Fields>>): number;
  /**
   * What the status page says while the control is in force when `spec.publicMessage` is
   * not set. Absent: the control is not published (one-shot actions).
   */
  defaultPublicMessage?(spec: z.infer<z.ZodObject<Fields>>): string;
}

/** A defined kind: its options plus the schemas every consumer derives from. */
export interface ControlKindDefinition<
  Kind extends string = string,
  Fields extends z.ZodRawShape = z.ZodRawShape,
  StatusFields extends z.ZodRawShape = z.ZodRawShape,
> extends ControlKindOptions<Kind, Fields, StatusFields> {
  /** The kind's own spec fields, as the admin API takes them. */
  readonly spec: z.ZodObject<Fields>;
  /** The spec as the resource holds it: own fields, common fields and every CEL rule. */
  readonly fullSpec: z.ZodObject<Fields & typeof commonSpecFields>;
  readonly status: z.ZodObject<typeof commonStatusFields & StatusFields>;
  targets(spec: z.infer<z.ZodObject<Fields>>): readonly ControlTarget[];
  rank(spec: z.infer<z.ZodObject<Fields>>): number;
  /** `spec.publicMessage`, else the kind's default; undefined: nothing is published. */
  publicMessage(
    spec: z.infer<z.ZodObject<Fields>> & { publicMessage?: string },
  ): string | undefined;
}

/** The kind with its schemas: `spec` (own fields), `fullSpec` (as in the resource), `status`. */
export function defineControlKind<
  Kind extends string,
  Fields extends z.ZodRawShape,
  StatusFields extends z.ZodRawShape = Record<never, never>,
>(
  options: ControlKindOptions<Kind, Fields, StatusFields>,
): ControlKindDefinition<Kind, Fields, StatusFields> {
  // The kind's own rules run in the admin API's validation too, so they may only read the
  // kind's own fields.
  const spec = celRules(
    z.object(options.fields).meta({ description: `What the ${options.kind} asks for.` }),
    options.specRules ?? [],
  );
  const oneShotRule: CelRule = {
    rule: "self == oldSelf",
    message: `${options.kind} is a one-shot action: its spec is immutable; create a new ${options.kind} instead`,
  };
  const fullSpec = celRules(
    z.object({ ...options.fields, ...commonSpecFields }).meta({
      description: `What the ${options.kind} asks for.`,
    }),
    [...commonSpecRules, ...(options.specRules ?? []), ...(options.oneShot ? [oneShotRule] : [])],
  );
  const status = z
    .object({ ...commonStatusFields, ...options.statusFields } as typeof commonStatusFields &
      StatusFields)
    .meta({
      description:
        "What the operator observed and did. Written only by the operator, through /status.",
    });
  return {
    ...options,
    spec,
    fullSpec,
    status,
    targets: (value) => options.targets?.(value) ?? [],
    rank: (value) => options.rank?.(value) ?? 0,
    publicMessage: (value) => value.publicMessage ?? options.defaultPublicMessage?.(value),
  };
}

/** `required` without the fields a spec-level `has(self.<field>)` rule reports instead. */
function requiredByRules(schema: JsonSchema): void {
  const rules = (schema[celRulesKey] as CelRule[] | undefined) ?? [];
  const byRule = new Set(
    rules.map((rule) => /^has\(self\.(\w+)\)$/.exec(rule.rule)?.[1]).filter(Boolean),
  );
  const required = ((schema.required as string[] | undefined) ?? []).filter(
    (name) => !byRule.has(name),
  );
  if (required.length > 0) schema.required = required;
  else delete schema.required;
}

/** The apiextensions.k8s.io/v1 CustomResourceDefinition for one control kind. */
export function customResourceDefinition(definition: ControlKindDefinition) {
  const spec = structuralSchema(definition.fullSpec);
  requiredByRules(spec);
  const openAPIV3Schema = {
    type: "object",
    description: definition.description,
    properties: {
      apiVersion: {
        type: "string",
        description: "The versioned schema of this object.",
        maxLength: 253,
      },
      kind: {
        type: "string",
        description: "The REST resource this object represents.",
        maxLength: 253,
      },
      metadata: { type: "object" },
      spec,
      status: structuralSchema(definition.status),
    },
    required: ["spec"],
  };
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
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}
