/**
 * @module The controls admin API the operator drives (`/admin/v1/controls`): upsert, lift and
 * list, bearer-authenticated, every change persisted with its audit row and outbox event and
 * then announced to the replicas.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { actorOf, adminAccess } from "./admin-access";
import type { Secrets } from "./admin-auth";
import type { AppEnv, ServiceApp } from "./app-env";
import { controlKindDefinition } from "./control-kinds";
import type { Controls } from "./controls";
import { deleteControl, loadControlSet, putControl } from "./controls-store";
import type { Pool } from "./db";
import { parseJsonBody, validInput } from "./input-problems";
import type { AccessAttributes, IdentityReviewer } from "./person-identity";
import { kitProblems, problem } from "./problem";
import { problemContent } from "./problem-schema";

export const controlIdPattern = /^[a-z0-9][a-z0-9.-]{0,252}$/;

const controlSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    spec: z.record(z.string(), z.unknown()),
    source: z.record(z.string(), z.unknown()),
    reason: z.string(),
    ticket: z.string(),
    actor: z.string(),
    expiresAt: z.string().nullable(),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi("Control");

const putBodySchema = z.object({
  kind: z.string().min(1),
  spec: z.record(z.string(), z.unknown()).default({}),
  source: z
    .object({
      uid: z.string().optional(),
      generation: z.number().int().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
    })
    .passthrough()
    .default({}),
  reason: z.string().min(1),
  ticket: z.string().min(1),
  actor: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

const liftBodySchema = z
  .object({
    actor: z.string().optional(),
    reason: z.string().optional(),
    ticket: z.string().optional(),
  })
  .openapi("ControlLift");

const idParam = z.object({
  id: z
    .string()
    .regex(controlIdPattern)
    .openapi({ param: { name: "id", in: "path" } }),
});

const security = [{ adminBearer: [] }];

export interface ControlsApiOptions {
  readonly service: string;
  readonly kinds: readonly string[];
  readonly pool: Pool;
  readonly controls: Controls;
  /** The operator's token (both values while it rotates). */
  readonly adminToken: Secrets;
  /** The pool the listing reads (the read replica in read-only mode). @default pool */
  readonly readPool?: () => Pool;
  /** Reviews people's tokens (break-glass without the operator); see admin-access.ts. */
  readonly identity?: IdentityReviewer;
  /** The namespace RBAC is asked about. */
  readonly namespace?: string;
  /**
   * Why this replica cannot enforce `kind` at all (e.g. a RedisFailover without
   * REDIS_SECONDARY), or undefined: a PUT of it is refused with 409 and stores nothing.
   */
  readonly unmet?: (kind: string) => string | undefined;
}

const verbs: Readonly<Record<string, string>> = { GET: "get", PUT: "update", DELETE: "delete" };

/**
 * What a person's controls request does, as RBAC names it: `get`, `update` or `delete` on
 * `controls.ops.breakwater.dev` named after the service (a resource no CRD serves, so only
 * a rule written for break-glass grants it).
 */
export function controlsAccess(service: string, namespace?: string) {
  return (c: Context<AppEnv>): AccessAttributes => ({
    group: "ops.breakwater.dev",
    resource: "controls",
    verb: verbs[c.req.method] ?? c.req.method.toLowerCase(),
    name: service,
    ...(namespace ? { namespace } : {}),
  });
}

/**
 * Who a control change is recorded as: the operator sends the control's requester (which
 * admission checked) in the body; a person is who the API server authenticated.
 */
function changedBy(c: Context<AppEnv>, bodyActor: string | undefined): string {
  const actor = c.var.adminActor;
  if (actor?.kind === "person") return actor.person.username;
  return bodyActor ?? actorOf(c);
}

/** Mount the admin controls routes on `app`. */
export function mountControlsApi(app: ServiceApp, options: ControlsApiOptions): void {
  const { service, pool, controls } = options;
  app.openAPIRegistry.registerComponent("securitySchemes", "adminBearer", {
    type: "http",
    scheme: "bearer",
  });
  app.use(
    "/admin/v1/*",
    adminAccess({
      reviewer: options.identity,
      serviceToken: options.adminToken,
      access: controlsAccess(service, options.namespace),
    }),
  );
  const putBody = putBodySchemaFor(app, options.kinds);

  async function propagate(version: number): Promise<void> {
    await controls.reload();
    await controls.announce(version).catch(() => undefined);
  }

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/v1/controls",
      security,
      responses: {
        200: {
          description: "The controls, the service-wide version and the live replicas",
          content: {
            "application/json": {
              schema: z.object({
                service: z.string(),
                version: z.number().int(),
                controls: z.array(controlSchema),
                replicas: z.array(
                  z.object({
                    id: z.string(),
                    version: z.number().int(),
                    ackedAt: z.string(),
                    live: z.boolean(),
                    ready: z.boolean(),
                    redis: z
                      .enum(["primary", "secondary"])
                      .optional()
                      .openapi({ description: "The Redis the replica uses now." }),
                  }),
                ),
              }),
            },
          },
        },
        401: { description: "Missing or wrong admin token", content: problemContent },
      },
    }),
    async function listControls(c) {
      const set = await loadControlSet(options.readPool?.() ?? pool, service);
      const replicas = await controls.replicas().catch((error: Error) => {
        // Without Redis nobody can tell which replicas hold what: say so rather than list none.
        throw problem({
          type: kitProblems.dependencyUnavailable,
          title: "Replica acknowledgements unavailable",
          status: 503,
          detail: `redis: ${error.message}`,
          extensions: { failed: ["redis"] },
        });
      });
      return c.json({ service, version: set.version, controls: [...set.controls], replicas }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/admin/v1/controls/{id}",
      security,
      request: {
        params: idParam,
        body: { required: true, content: { "application/json": { schema: putBody } } },
      },
      responses: {
        200: {
          description: "The stored control",
          content: { "application/json": { schema: controlSchema } },
        },
        401: { description: "Missing or wrong admin token", content: problemContent },
        409: {
          description: "A precondition of the kind is not met here (nothing stored)",
          content: problemContent,
        },
        422: {
          description: "Invalid body or a kind this service does not enforce",
          content: problemContent,
        },
      },
    }),
    async function putControlRoute(c) {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const spec = validSpec(options.kinds, body.kind, body.spec);
      const unmet = options.unmet?.(body.kind);
      if (unmet) {
        throw problem({
          type: kitProblems.controlPreconditionFailed,
          title: "This service cannot enforce the control",
          status: 409,
          detail: `${service} refuses ${body.kind}: ${unmet}`,
          extensions: { kind: body.kind },
        });
      }
      const { control, changed } = await putControl(pool, service, id, {
        kind: body.kind,
        spec,
        source: body.source,
        reason: body.reason,
        ticket: body.ticket,
        actor: changedBy(c, body.actor),
        expiresAt: body.expiresAt ?? null,
      });
      if (changed) await propagate(control.version);
      c.var.logger.info({ control: id, version: control.version, changed }, "control stored");
      return c.json(control, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/admin/v1/controls/{id}",
      security,
      // The body is optional (`{ actor, reason, ticket }`, an empty body is fine), so the
      // handler reads it itself rather than through the JSON validator, which refuses empty.
      description: "Lift a control. Optional JSON body: `{ actor, reason, ticket }`.",
      request: { params: idParam },
      responses: {
        200: {
          description: "Lifted; the version of the lift",
          content: {
            "application/json": { schema: z.object({ id: z.string(), version: z.number().int() }) },
          },
        },
        401: { description: "Missing or wrong admin token", content: problemContent },
        404: { description: "No such control (already lifted)", content: problemContent },
      },
    }),
    async function liftControlRoute(c) {
      const { id } = c.req.valid("param");
      const lift = await liftBody(await c.req.text());
      const version = await deleteControl(pool, service, id, {
        ...lift,
        actor: changedBy(c, lift.actor),
      });
      if (version === undefined) {
        throw problem({
          type: kitProblems.controlNotFound,
          title: "Control not found",
          status: 404,
          detail: `no control ${id} in ${service}`,
        });
      }
      await propagate(version);
      c.var.logger.info({ control: id, version }, "control lifted");
      return c.json({ id, version }, 200);
    },
  );
}

/**
 * The PUT body with its `spec` documented as one of the enforced kinds' spec schemas (each a
 * component `<Kind>Spec`, from the kind's definition). The handler validates the spec against
 * its kind's schema, so an unknown kind is 422 `controls/unknown-kind` rather than a mismatch.
 */
function putBodySchemaFor(app: ServiceApp, kinds: readonly string[]) {
  const specs = kinds.flatMap((kind) => {
    const definition = controlKindDefinition(kind);
    if (!definition) return [];
    app.openAPIRegistry.register(`${definition.kind}Spec`, definition.spec);
    return [{ $ref: `#/components/schemas/${definition.kind}Spec` }];
  });
  return putBodySchema
    .extend({
      spec: z
        .record(z.string(), z.unknown())
        .default({})
        .openapi({ description: "The kind's spec (see its schema).", oneOf: specs }),
    })
    .openapi("ControlPut");
}

/** The optional JSON body of a DELETE; an empty body is fine, a malformed one is 400 or 422. */
async function liftBody(text: string): Promise<z.infer<typeof liftBodySchema>> {
  if (text.trim() === "") return {};
  return validInput(liftBodySchema, parseJsonBody(text));
}

function validSpec(
  kinds: readonly string[],
  kind: string,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  if (!kinds.includes(kind)) {
    throw problem({
      type: kitProblems.controlUnknownKind,
      title: "Unknown control kind for this service",
      status: 422,
      detail: `kind ${kind} is not enforced here; known: ${kinds.join(", ") || "none"}`,
      extensions: { kinds },
    });
  }
  const definition = controlKindDefinition(kind);
  if (!definition) return spec;
  return validInput(definition.spec, spec, "json", "spec.");
}
