/**
 * @module The hostile-input gate every service's test suite runs against its real server:
 * requests generated with fast-check from the service's own `/openapi.json` (every route,
 * path and query parameters, JSON bodies from their schemas), mixed with the classes that
 * broke services before — NUL characters, unpaired surrogates, JSON nested thousands deep,
 * huge and negative numbers, other people's and the platform's accounts, missing or wrong
 * credentials. For every answer it asserts: no 5xx; every 4xx is problem+json whose `status`
 * is the answer's; the status is documented for the route; a JSON 2xx body matches the
 * documented schema; a refused request changed nothing (`snapshot`); and the service's
 * invariants hold afterwards. Bounded in runs and in time.
 *
 * A service joins with a few lines:
 *
 * @example
 * const report = await runHostileGate({ url, credentials: { bearer, admin }, snapshot, invariants });
 */
import Ajv, { type ValidateFunction } from "ajv";
import fc from "fast-check";

/** An OpenAPI 3.0 schema object, loosely typed. */
type Schema = Record<string, unknown>;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly { name: string; in: string; required?: boolean; schema?: Schema }[];
  readonly body: Schema | undefined;
  readonly security: readonly string[];
  readonly responses: Readonly<Record<string, { content?: Record<string, { schema?: Schema }> }>>;
}

/** What a service gives the gate. */
export interface GateOptions {
  /** The running service, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `Authorization` values per OpenAPI security scheme name (`bearer`, `adminBearer`). */
  readonly credentials: Readonly<Record<string, string>>;
  /** Values that a string field may take besides generated ones (other users' accounts, platform accounts). */
  readonly interestingStrings?: readonly string[];
  /**
   * Values to draw most of the time for fields (body members, path and query parameters) of
   * this name, so that generated requests also get past validation and do what the route does
   * (`source: [own wallet, another user's, a platform account]`, `currency: ["USD"]`).
   */
  readonly fields?: Readonly<Record<string, readonly unknown[]>>;
  /** Body arbitraries for routes that read their body by hand (`POST /v1/webhooks/deposits`). */
  readonly bodies?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Extra headers for a request (a webhook signature over the exact body). */
  readonly sign?: (operation: string, rawBody: string) => Record<string, string>;
  /** What must not change when a request is refused (e.g. the ledger's transactions and balances). */
  readonly snapshot: () => Promise<string>;
  /** The service's invariants, checked after the run; throws describing a violation. */
  readonly invariants: () => Promise<void>;
  /** Generated requests. @default 300 */
  readonly runs?: number;
  /** Stop generating after this long. @default 120000 */
  readonly timeLimitMs?: number;
  /** fast-check seed, to replay a failure. @default random */
  readonly seed?: number;
}

export interface GateReport {
  /** Requests sent. */
  readonly requests: number;
  /** Answers per status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** The operations exercised, `POST /v1/transfers`. */
  readonly operations: readonly string[];
  readonly seed: number;
}

/** The hostile values of every class, for any field. */
export const hostileScalars: readonly unknown[] = [
  "a\u0000b",
  "\u0000",
  "\ud800",
  "x\udfff",
  "\ud83d",
  "9223372036854775807",
  "9223372036854775808",
  "99999999999999999999999999",
  "-1",
  "0",
  "1e400",
  1e308,
  -1,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  "",
  " ",
  "x".repeat(5000),
  null,
  true,
  {},
  [],
];

/** JSON text nested `depth` levels (`[[[...]]]`). */
export function deepJson(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

function operationsOf(document: Schema): Operation[] {
  const operations: Operation[] = [];
  const paths = (document.paths ?? {}) as Record<string, Record<string, Schema>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const content = (operation.requestBody as Schema | undefined)?.content as
        | Record<string, { schema?: Schema }>
        | undefined;
      const security = ((operation.security ?? []) as Record<string, unknown>[]).flatMap(
        (requirement) => Object.keys(requirement),
      );
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []) as Operation["parameters"],
        body: content?.["application/json"]?.schema,
        security,
        responses: (operation.responses ?? {}) as Operation["responses"],
      });
    }
  }
  return operations;
}

/** What generation draws from: the document, strings for any text, values per field name. */
interface Generation {
  readonly document: Schema;
  readonly strings: fc.Arbitrary<string>;
  readonly fields: Readonly<Record<string, readonly unknown[]>>;
}

/** A value for the field `name`: mostly one the service named for it, otherwise from its schema. */
function fieldFor(name: string, schema: Schema, context: Generation): fc.Arbitrary<unknown> {
  const named = context.fields[name];
  const generated = anyFor(schema, context);
  if (named === undefined || named.length === 0) return generated;
  return fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...named) },
    { weight: 1, arbitrary: generated },
  );
}

function resolve(schema: Schema, document: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace("#/components/schemas/", "");
  const components = (document.components as { schemas?: Record<string, Schema> }).schemas ?? {};
  return resolve(components[name] ?? {}, document);
}

/** Values that conform to `schema` (as far as its keywords say). */
function conforming(schema: Schema, context: Generation): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, context.document);
  if (Array.isArray(resolved.enum)) return fc.constantFrom(...(resolved.enum as unknown[]));
  switch (resolved.type) {
    case "string":
      return stringFor(resolved, context.strings);
    case "integer":
    case "number":
      return fc.integer({
        min: typeof resolved.minimum === "number" ? resolved.minimum : -1000,
        max: typeof resolved.maximum === "number" ? resolved.maximum : 1_000_000,
      });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(anyFor((resolved.items ?? {}) as Schema, context), {
        maxLength: 3,
      });
    case "object":
      return objectFor(resolved, context);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: Schema, strings: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [strings];
  if (typeof schema.pattern === "string") {
    options.push(fc.stringMatching(new RegExp(schema.pattern)));
  }
  if (typeof schema.example === "string") options.push(fc.constant(schema.example));
  if (schema.format === "uuid") options.push(fc.uuid());
  if (typeof schema.maxLength === "number" || typeof schema.minLength === "number") {
    options.push(
      fc.string({
        minLength: Number(schema.minLength ?? 0),
        maxLength: Math.min(Number(schema.maxLength ?? 40), 300),
      }),
    );
  }
  return fc.oneof(...options);
}

function objectFor(schema: Schema, context: Generation): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const shape = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, fieldFor(name, property, context)]),
  );
  if (Object.keys(shape).length === 0) {
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 4,
    });
  }
  // Mostly with every required member (so requests get past validation and move money).
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(shape, { requiredKeys: [...required].filter((key) => key in shape) }),
    },
    { weight: 1, arbitrary: fc.record(shape, { requiredKeys: [] }) },
  );
}

/** A value for `schema`: mostly conforming, sometimes hostile. */
function anyFor(schema: Schema, context: Generation): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: conforming(schema, context) },
    { weight: 1, arbitrary: fc.constantFrom(...hostileScalars) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 40, max: 3000 })
        .map((depth) => JSON.parse(deepJson(Math.min(depth, 60)))),
    },
  );
}

interface GeneratedRequest {
  readonly operation: Operation;
  readonly pathValues: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  /** Raw body text: JSON of a value, or hostile text (deep nesting, not JSON). */
  readonly body: string | undefined;
  /** `valid`, `none`, `garbage`: which credentials to send. */
  readonly credentials: "valid" | "none" | "garbage";
  readonly trailingSlash: boolean;
}

function requestArbitrary(
  operation: Operation,
  context: Generation,
  bodies: GateOptions["bodies"],
): fc.Arbitrary<GeneratedRequest> {
  const params = (where: string) =>
    fc.record(
      Object.fromEntries(
        operation.parameters
          .filter((parameter) => parameter.in === where)
          .map((parameter) => [
            parameter.name,
            fieldFor(parameter.name, parameter.schema ?? {}, context),
          ]),
      ),
    );
  const custom = bodies?.[`${operation.method} ${operation.path}`];
  const bodyValue = custom ?? (operation.body ? anyFor(operation.body, context) : undefined);
  const body: fc.Arbitrary<string | undefined> =
    bodyValue === undefined
      ? fc.constant(undefined)
      : fc.oneof(
          { weight: 8, arbitrary: bodyValue.map((value) => JSON.stringify(value)) },
          { weight: 1, arbitrary: fc.integer({ min: 33, max: 20_000 }).map(deepJson) },
          {
            weight: 1,
            arbitrary: fc.constantFrom("{", "not json", '{"a":"\\ud800"}', "[]", "null"),
          },
        );
  return fc.record({
    operation: fc.constant(operation),
    pathValues: params("path"),
    query: params("query"),
    body,
    credentials: fc.oneof(
      { weight: 8, arbitrary: fc.constant("valid" as const) },
      { weight: 1, arbitrary: fc.constantFrom("none" as const, "garbage" as const) },
    ),
    trailingSlash: fc.integer({ min: 0, max: 19 }).map((draw) => draw === 0),
  });
}

/** Percent-encode `value` as a URL component, lone surrogates included (as invalid UTF-8). */
function encodeComponent(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((char) => {
        try {
          return encodeURIComponent(char);
        } catch {
          return "%ED%A0%80";
        }
      })
      .join("");
  }
}

/**
 * Whether the request's URL is not the route's at all (a trailing slash, an empty path
 * parameter): then the route's documented statuses do not apply.
 */
function otherUrl(request: GeneratedRequest): boolean {
  const values = Object.values(request.pathValues);
  return request.trailingSlash || values.some((value) => encodeComponent(value) === "");
}

/** One line saying what was sent (bodies cut short). */
function describe(base: string, request: GeneratedRequest): string {
  const body = request.body === undefined ? "" : ` body ${request.body.slice(0, 300)}`;
  return `${request.operation.method} ${urlOf(base, request)} credentials=${request.credentials}${body}`;
}

function urlOf(base: string, request: GeneratedRequest): string {
  let path = request.operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeComponent(request.pathValues[name] ?? "x"),
  );
  if (request.trailingSlash) path += "/";
  const query = Object.entries(request.query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeComponent(value)}`)
    .join("&");
  return `${base}${path}${query ? `?${query}` : ""}`;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

async function send(options: GateOptions, request: GeneratedRequest): Promise<Answer> {
  const { operation } = request;
  const headers: Record<string, string> = { "idempotency-key": crypto.randomUUID() };
  const scheme = operation.security.find((name) => options.credentials[name] !== undefined);
  if (scheme !== undefined && request.credentials === "valid") {
    headers.authorization = options.credentials[scheme]!;
  } else if (request.credentials === "garbage") {
    headers.authorization = "Bearer not-a-valid-token";
  }
  if (request.body !== undefined) {
    headers["content-type"] = "application/json";
    Object.assign(headers, options.sign?.(`${operation.method} ${operation.path}`, request.body));
  }
  const response = await fetch(urlOf(options.url, request), {
    method: operation.method,
    headers,
    body: request.body,
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

/** Why `answer` breaks the gate's rules for `operation`, or undefined. */
function violation(
  operation: Operation,
  answer: Answer,
  validators: Map<string, ValidateFunction>,
  otherUrl: boolean,
): string | undefined {
  if (answer.status >= 500 && answer.status !== 503) return `a ${answer.status}`;
  if (answer.status === 503) return "a 503 while every dependency is up";
  if (answer.status >= 400) {
    if (!answer.contentType.startsWith("application/problem+json"))
      return "a 4xx that is not problem+json";
    const problem = JSON.parse(answer.text) as {
      type?: unknown;
      title?: unknown;
      status?: unknown;
    };
    if (typeof problem.type !== "string" || typeof problem.title !== "string")
      return "a problem without type and title";
    if (problem.status !== answer.status)
      return `a problem whose status ${String(problem.status)} is not the answer's`;
  }
  // A trailing slash is another URL: 404, or what the edge (limits, a prefix guarded by
  // authentication) refuses before routing.
  if (otherUrl) {
    return [400, 401, 403, 404, 413, 422].includes(answer.status)
      ? undefined
      : `a ${answer.status} for a trailing slash`;
  }
  const documented = operation.responses[String(answer.status)];
  if (documented === undefined) return `status ${answer.status} is not documented for the route`;
  const validate = validators.get(`${operation.method} ${operation.path} ${answer.status}`);
  if (validate && answer.contentType.startsWith("application/json")) {
    if (!validate(JSON.parse(answer.text))) {
      return `the body does not match the documented schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`;
    }
  }
  return undefined;
}

/**
 * OpenAPI 3.0 schemas as JSON Schema for Ajv: references into the document, and `nullable`
 * without a `type` (an "any" value, as zod-to-openapi writes `unknown`) dropped.
 */
function forAjv(schema: unknown): Schema {
  const text = JSON.stringify(schema).replaceAll('"#/components/', '"document#/components/');
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && "nullable" in value && !("type" in value)) {
      const { nullable: _nullable, ...rest } = value as Schema;
      return rest;
    }
    return value;
  }) as Schema;
}

function responseValidators(
  document: Schema,
  operations: readonly Operation[],
): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ components: forAjv(document.components ?? {}) }, "document");
  const validators = new Map<string, ValidateFunction>();
  for (const operation of operations) {
    for (const [status, response] of Object.entries(operation.responses)) {
      const schema = response.content?.["application/json"]?.schema;
      if (schema === undefined) continue;
      validators.set(
        `${operation.method} ${operation.path} ${status}`,
        ajv.compile(forAjv(schema)),
      );
    }
  }
  return validators;
}

/**
 * Run the gate against `options.url`; throws describing the first violation (with the
 * request, and the seed to replay it), or resolves with what was sent.
 */
export async function runHostileGate(options: GateOptions): Promise<GateReport> {
  const document = (await (await fetch(`${options.url}/openapi.json`)).json()) as Schema;
  const operations = operationsOf(document);
  const validators = responseValidators(document, operations);
  const strings = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 3, arbitrary: fc.constantFrom(...(options.interestingStrings ?? ["x"])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...(hostileScalars.filter((value) => typeof value === "string") as string[]),
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  );
  const context: Generation = { document, strings, fields: options.fields ?? {} };
  const requests = fc.oneof(
    ...operations.map((operation) => requestArbitrary(operation, context, options.bodies)),
  );
  const statuses: Record<string, number> = {};
  const seen = new Set<string>();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const deadline = Date.now() + (options.timeLimitMs ?? 120_000);
  let sent = 0;
  let failure: string | undefined;
  const fail = (message: string, request: GeneratedRequest): never => {
    failure = `${message}\nrequest: ${describe(options.url, request)}\nreplay with seed ${seed}`;
    throw new Error(failure);
  };
  await fc
    .assert(
      fc.asyncProperty(requests, async (request) => {
        if (Date.now() > deadline) return;
        const before = await options.snapshot();
        const answer = await send(options, request);
        sent += 1;
        const name = `${request.operation.method} ${request.operation.path}`;
        seen.add(name);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        const broken = violation(request.operation, answer, validators, otherUrl(request));
        if (broken) fail(`${name}: ${broken}; answered ${answer.text.slice(0, 300)}`, request);
        if (answer.status >= 400 && (await options.snapshot()) !== before) {
          fail(`${name}: refused with ${answer.status} but changed what it must not`, request);
        }
      }),
      { numRuns: options.runs ?? 300, seed, endOnFailure: true },
    )
    .catch((error: Error) => {
      throw new Error(failure ?? error.message);
    });
  await options.invariants();
  return { requests: sent, statuses, operations: [...seen].sort(), seed };
}
