/**
 * @module A control manifest checked against its kind's CRD schema as the API server would on
 * create, without one: the OpenAPI part with ajv (unknown fields refused, as `kubectl apply
 * --validate=strict` does) and the `x-kubernetes-validations` CEL rules with a CEL evaluator.
 * Transition rules (`oldSelf`) only apply to updates and are skipped; a rule the evaluator
 * cannot run is left to the API server, which checks every rule again at sync.
 */
import { evaluate } from "@marcbachmann/cel-js";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { controlVersion } from "../operators/crds/common";
import { crdManifests } from "../operators/crds/index";

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-validations"?: { rule: string; message?: string; fieldPath?: string }[];
}

interface CustomResourceDefinition {
  spec: {
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
  };
}

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule;

/** The schema with unknown fields refused wherever Kubernetes would prune them. */
function strict(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([key, value]) => [key, strict(value)]),
    );
    if (copy.additionalProperties === undefined && !copy["x-kubernetes-preserve-unknown-fields"])
      copy.additionalProperties = false;
  }
  if (copy.items) copy.items = strict(copy.items);
  return copy;
}

interface KindSchema {
  readonly schema: Schema;
  readonly validate: ValidateFunction;
}

let kinds: Map<string, KindSchema> | undefined;

function compile(): Map<string, KindSchema> {
  // The x-kubernetes-* extensions are not JSON Schema keywords; strict mode would refuse them.
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  const compiled = new Map<string, KindSchema>();
  for (const crd of crdManifests() as unknown as CustomResourceDefinition[]) {
    const version = crd.spec.versions.find((entry) => entry.name === controlVersion)!;
    const schema = version.schema.openAPIV3Schema;
    compiled.set(crd.spec.names.kind, { schema, validate: ajv.compile(strict(schema)) });
  }
  return compiled;
}

/** The control kinds the CRDs define. */
export function controlKindNames(): string[] {
  kinds ??= compile();
  return [...kinds.keys()];
}

/** `spec.ticket: is required` from ajv's first error. */
function openApiProblem(error: ErrorObject): string {
  const path = error.instancePath.split("/").filter(Boolean);
  const params = error.params as {
    missingProperty?: string;
    additionalProperty?: string;
    allowedValues?: unknown[];
  };
  if (params.missingProperty !== undefined)
    return `${[...path, params.missingProperty].join(".")}: is required`;
  if (params.additionalProperty !== undefined)
    return `${[...path, params.additionalProperty].join(".")}: is not a field of this kind`;
  const detail = params.allowedValues
    ? `must be one of ${params.allowedValues.join(", ")}`
    : error.message;
  return `${path.join(".") || "(document)"}: ${detail}`;
}

/** A YAML value as CEL sees it: integers are CEL ints. */
function celValue(value: unknown, schema: Schema | undefined): unknown {
  if (schema?.type === "integer" && typeof value === "number") return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => celValue(item, schema?.items));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, celValue(item, schema?.properties?.[key])]),
    );
  return value;
}

/** The first CEL rule `value` breaks, as `path: message`, walking the schema. */
function celProblem(schema: Schema, value: unknown, path: string[]): string | undefined {
  if (value === undefined) return undefined;
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    if (rule.rule.includes("oldSelf")) continue;
    let result: unknown;
    try {
      result = evaluate(rule.rule, { self: celValue(value, schema) });
    } catch {
      continue; // Not evaluable here: the API server checks it at sync.
    }
    if (result === false) {
      const field = [...path, ...(rule.fieldPath ?? "").split(".").filter(Boolean)];
      return `${field.join(".") || "(document)"}: ${rule.message ?? `must satisfy ${rule.rule}`}`;
    }
  }
  if (schema.items && Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = celProblem(schema.items, item, [...path, String(index)]);
      if (problem) return problem;
    }
  }
  if (schema.properties && typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const problem = celProblem(child, (value as Record<string, unknown>)[key], [...path, key]);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * The first problem of `manifest` against its kind's schema (`field: message`), none when it
 * is valid, or undefined when `kind` is not a control kind.
 */
export function controlSchemaProblems(kind: string, manifest: unknown): string[] | undefined {
  kinds ??= compile();
  const entry = kinds.get(kind);
  if (!entry) return undefined;
  if (!entry.validate(manifest)) return [openApiProblem(entry.validate.errors![0]!)];
  const problem = celProblem(entry.schema, manifest, []);
  return problem ? [problem] : [];
}
