/**
 * @module Guarding an admin endpoint: the operator's service token (compared in constant time,
 * where the route admits it) or a person authenticated by TokenReview and authorized by a
 * SubjectAccessReview for what the request does. The route reads who acted with `actorOf(c)`,
 * which is what its audit row records — never a body field.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bearerToken, type Secrets, tokensMatch } from "./admin-auth";
import type { AppEnv } from "./app-env";
import type { AccessAttributes, IdentityReviewer, Person } from "./person-identity";
import { kitProblems, problem } from "./problem";

/** Who passed an admin guard: the operator's service credential, or a person. */
export type AdminActor =
  | { readonly kind: "service" }
  | { readonly kind: "person"; readonly person: Person };

export interface AdminAccessOptions {
  /** Reviews people's tokens; undefined when the service has no `ADMIN_IDENTITY_KUBECONFIG`. */
  readonly reviewer: IdentityReviewer | undefined;
  /** The operator's token, admitted as the service credential. Omit where only people may act. */
  readonly serviceToken?: Secrets;
  /** What the request does, as RBAC names it (asked of the SubjectAccessReview). */
  readonly access: (c: Context<AppEnv>) => AccessAttributes;
}

const challenge = { "www-authenticate": 'Bearer realm="admin"' };

/** The name an audit row records for a service-token request. */
export const serviceActorName = "service-token";

/**
 * Refuse with 401 unless the request carries the service token (where admitted) or a token
 * the Kubernetes API authenticates, 403 unless RBAC allows the person the action, 503 when
 * the API server cannot be asked (fail closed).
 *
 * @example app.use("/v1/payouts/:id/resolve", adminAccess({ reviewer, access: (c) => ({ group: "payments.breakwater.dev", resource: "payouts", verb: "resolve", name: c.req.param("id") }) }));
 */
export function adminAccess(options: AdminAccessOptions): MiddlewareHandler<AppEnv> {
  return async function adminAccessMiddleware(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined)
      throw unauthorized("send Authorization: Bearer <your Kubernetes token>");
    if (options.serviceToken !== undefined && tokensMatch(token, options.serviceToken)) {
      c.set("adminActor", { kind: "service" });
      return next();
    }
    const reviewer = options.reviewer;
    if (reviewer === undefined) {
      throw unauthorized(
        "people cannot be authenticated here: the service has no ADMIN_IDENTITY_KUBECONFIG",
      );
    }
    const attributes = options.access(c);
    const person = await ask(() => reviewer.authenticate(token));
    if (person === undefined) throw unauthorized("the Kubernetes API did not accept this token");
    const decision = await ask(() => reviewer.authorize(person, attributes));
    if (!decision.allowed) throw forbidden(person, attributes, decision.reason);
    c.set("adminActor", { kind: "person", person });
    c.var.logger.info({ actor: person.username, access: attributes }, "admin access granted");
    return next();
  };
}

/** Who acted on a route guarded by {@link adminAccess}: a person's username, or the service token's name. */
export function actorOf(c: Context<AppEnv>): string {
  const actor = c.var.adminActor;
  if (actor === undefined) throw new Error("actorOf() on a route without adminAccess()");
  return actor.kind === "person" ? actor.person.username : serviceActorName;
}

/** RBAC's phrase for an action, e.g. `resolve payouts.payments.breakwater.dev "p-1"`. */
export function describeAccess(attributes: AccessAttributes): string {
  const resource = attributes.subresource
    ? `${attributes.resource}/${attributes.subresource}`
    : attributes.resource;
  const name = attributes.name ? ` "${attributes.name}"` : "";
  const namespace = attributes.namespace ? ` in namespace ${attributes.namespace}` : "";
  return `${attributes.verb} ${resource}.${attributes.group}${name}${namespace}`;
}

async function ask<T>(review: () => Promise<T>): Promise<T> {
  try {
    return await review();
  } catch (error) {
    throw problem({
      type: kitProblems.dependencyUnavailable,
      title: "Identity review unavailable",
      status: 503,
      detail: `kubernetes: ${(error as Error).message}`,
      headers: { "retry-after": "5" },
      extensions: { failed: ["kubernetes"] },
    });
  }
}

function unauthorized(detail: string) {
  return problem({
    type: kitProblems.unauthorized,
    title: "Admin authentication required",
    status: 401,
    detail,
    headers: challenge,
  });
}

function forbidden(person: Person, attributes: AccessAttributes, reason: string) {
  return problem({
    type: kitProblems.forbidden,
    title: "Not allowed by RBAC",
    status: 403,
    detail: `${person.username} may not ${describeAccess(attributes)}${reason ? `: ${reason}` : ""}`,
    extensions: { actor: person.username, access: attributes },
  });
}
