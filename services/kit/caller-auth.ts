/**
 * @module Who is calling: OAuth 2.0 bearer access tokens (JWT, RFC 9068 style) verified with
 * `jose` against the issuer's public keys (a JWKS given inline or fetched from a URL), giving
 * the caller's subject and scopes. Services that move money on behalf of users authorize
 * with it; the operator and on-call keep the admin token (`admin-auth.ts`).
 */
import type { MiddlewareHandler } from "hono";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { z } from "zod";
import { bearerToken, type Secrets, tokensMatch } from "./admin-auth";
import type { AppEnv, ServiceApp } from "./app-env";
import { kitProblems, problem } from "./problem";

/** The authenticated caller of a request. */
export interface Caller {
  /** The token's `sub`; `admin` for the admin token. */
  readonly subject: string;
  /** The token's `scope` (space-separated in the token). */
  readonly scopes: ReadonlySet<string>;
  /** True for the admin bearer token (on-call and the operator), never for a JWT. */
  readonly admin: boolean;
}

/** Asymmetric algorithms only: a shared-secret JWT would let every verifier mint tokens. */
export const acceptedAlgorithms = ["RS256", "PS256", "ES256", "ES384", "EdDSA"];

function jwksSource(text: string, context: z.RefinementCtx): JSONWebKeySet | URL {
  if (/^https?:\/\//.test(text)) {
    const url = new URL(text);
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (url.protocol === "https:" || loopback) return url;
    context.addIssue({ code: "custom", message: "expected an https URL (http only on loopback)" });
    return z.NEVER;
  }
  const parsed = z
    .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) })
    .safeParse(safeJson(text));
  if (!parsed.success) {
    context.addIssue({
      code: "custom",
      message: 'expected the JWKS URL or the JWKS as JSON ({"keys":[...]} with public keys)',
    });
    return z.NEVER;
  }
  if (parsed.data.keys.some((key) => "d" in key || "k" in key)) {
    context.addIssue({
      code: "custom",
      message: "holds a private or symmetric key; give public keys only",
    });
    return z.NEVER;
  }
  return parsed.data as unknown as JSONWebKeySet;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The settings a service that authenticates callers adds to its config: `AUTH_ISSUER` (the
 * tokens' `iss`), `AUTH_AUDIENCE` (their `aud`: this API), `AUTH_JWKS` (the issuer's public
 * keys: an https URL of its JWKS, or the JWKS itself as JSON).
 */
export const callerAuthConfigSchema = z.object({
  AUTH_ISSUER: z.string().min(1),
  AUTH_AUDIENCE: z.string().min(1),
  AUTH_JWKS: z.string().min(1).transform(jwksSource),
});

export type CallerAuthConfig = z.infer<typeof callerAuthConfigSchema>;

/** Verified tokens kept so that a client reusing its token is not verified on every call. */
const cacheEntriesMax = 10_000;

/** Verifies access tokens; `verify` throws a 401 problem for anything but a valid token. */
export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}

/**
 * A verifier for `config`. Tokens must carry `sub` and `exp`, the configured `iss` and `aud`,
 * and a signature by a key of the JWKS with an asymmetric algorithm. A verified token is
 * remembered (by its whole text, signature included) until it expires. `checkSession` (see
 * `session-revocation.ts`) runs on every answer and throws to refuse a revoked session.
 *
 * @example const verifier = createTokenVerifier(config); const caller = await verifier.verify(token);
 */
export function createTokenVerifier(
  config: CallerAuthConfig,
  checkSession?: (session: { subject: string; issuedAtSeconds: number | undefined }) => void,
): TokenVerifier {
  const keys: JWTVerifyGetKey =
    config.AUTH_JWKS instanceof URL
      ? createRemoteJWKSet(config.AUTH_JWKS)
      : createLocalJWKSet(config.AUTH_JWKS);
  const verified = new Map<
    string,
    { caller: Caller; expiresAtMs: number; issuedAtSeconds: number | undefined }
  >();
  // Run on every answer, cached or not: a revocation reaches tokens verified before it.
  const checked = (entry: { caller: Caller; issuedAtSeconds: number | undefined }) => {
    checkSession?.({ subject: entry.caller.subject, issuedAtSeconds: entry.issuedAtSeconds });
    return entry.caller;
  };
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known !== undefined && known.expiresAtMs > Date.now()) return checked(known);
      verified.delete(token);
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        algorithms: acceptedAlgorithms,
        requiredClaims: ["sub", "exp"],
      }).catch((error: Error & { code?: string }) => {
        throw keysUnreachable(error) ?? unauthorized("invalid_token", oneLine(error.message));
      });
      const scope = typeof payload.scope === "string" ? payload.scope : "";
      const caller: Caller = {
        subject: payload.sub!,
        scopes: new Set(scope.split(" ").filter((item) => item !== "")),
        admin: false,
      };
      const issuedAtSeconds = typeof payload.iat === "number" ? payload.iat : undefined;
      const entry = { caller, expiresAtMs: payload.exp! * 1000, issuedAtSeconds };
      if (verified.size >= cacheEntriesMax) verified.clear();
      verified.set(token, entry);
      return checked(entry);
    },
  };
}

/** The issuer's keys could not be fetched: not the caller's fault, so 503 rather than 401. */
function keysUnreachable(error: Error & { code?: string }) {
  const joseRefusal = typeof error.code === "string" && error.code !== "ERR_JWKS_TIMEOUT";
  if (joseRefusal) return undefined;
  return problem({
    type: kitProblems.dependencyUnavailable,
    title: "Dependency unavailable",
    status: 503,
    detail: "the token issuer's keys could not be fetched; retry shortly",
    headers: { "retry-after": "1" },
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 200);
}

/** A 401 problem with an RFC 6750 challenge (`error` such as `invalid_token`, or none). */
export function unauthorized(error: string | undefined, detail: string) {
  const challenge = error ? `Bearer realm="api", error="${error}"` : 'Bearer realm="api"';
  return problem({
    type: kitProblems.unauthorized,
    title: "Authentication required",
    status: 401,
    detail,
    headers: { "www-authenticate": challenge },
  });
}

/** The caller of a request that passed {@link callerAuth}. */
export function callerOf(c: { get(key: "caller"): Caller | undefined }): Caller {
  const caller = c.get("caller");
  if (caller === undefined) throw new Error("callerAuth() is not mounted on this route");
  return caller;
}

export interface CallerAuthOptions {
  /** Scope the token must carry (403 `auth/insufficient-scope` otherwise). */
  readonly scope: string;
  /** Also accept the admin bearer token (on-call reading state); @default undefined (not accepted) */
  readonly adminToken?: Secrets;
}

/**
 * Refuse a request without a valid bearer access token carrying `scope` (401 / 403 problem
 * with an RFC 6750 `WWW-Authenticate` challenge); put the {@link Caller} on `c.var.caller`.
 *
 * @example middleware: [callerAuth(verifier, { scope: "transfers:write" })]
 */
export function callerAuth(
  verifier: TokenVerifier,
  options: CallerAuthOptions,
): MiddlewareHandler<AppEnv> {
  const admin: Caller = { subject: "admin", scopes: new Set(), admin: true };
  return async function callerAuthMiddleware(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined) {
      throw unauthorized(undefined, "send Authorization: Bearer <access token>");
    }
    if (options.adminToken !== undefined && tokensMatch(token, options.adminToken)) {
      c.set("caller", admin);
      return next();
    }
    const caller = await verifier.verify(token);
    if (!caller.scopes.has(options.scope)) {
      throw problem({
        type: kitProblems.insufficientScope,
        title: "Insufficient scope",
        status: 403,
        detail: `this request needs the scope ${options.scope}`,
        extensions: { scope: options.scope },
        headers: {
          "www-authenticate": `Bearer realm="api", error="insufficient_scope", scope="${options.scope}"`,
        },
      });
    }
    c.set("caller", caller);
    return next();
  };
}

/** The OpenAPI `security` of a route that needs an access token with `scope`. */
export function bearerSecurity(scope: string): Array<Record<string, string[]>> {
  return [{ bearer: [scope] }];
}

/** Declare the `bearer` security scheme in the app's `/openapi.json` (routes name it with scopes). */
export function registerBearerScheme(app: ServiceApp): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "An OAuth 2.0 access token (JWT) of the configured issuer, for this API's audience",
  });
}
