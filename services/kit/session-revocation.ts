/**
 * @module Session revocation (the SessionRevocation control): while one names this service,
 * every access token of a subject in its scope issued before its `issuedBefore` (or carrying no
 * `iat`, so its age is unknown) is refused with 401 naming the control, whether or not the
 * replica has verified and cached that token before. Tokens issued later pass, so users who
 * sign in again carry on. Each replica decides from the controls it holds; nothing restarts.
 */
import { sessionRevocation } from "../../operators/crds/index";
import type { CallerAuthConfig, TokenVerifier } from "./caller-auth";
import { createTokenVerifier } from "./caller-auth";
import { specOf } from "./control-kinds";
import { isControlActive } from "./controls";
import type { Control, ControlSet } from "./controls-store";
import { kitProblems, problem } from "./problem";

export const sessionRevocationKind = sessionRevocation.kind;

/** What a token is checked by: its subject and its issue time (seconds), when it has one. */
export interface TokenSession {
  readonly subject: string;
  readonly issuedAtSeconds: number | undefined;
}

/** The active SessionRevocation of `controls` that revokes `session` on `service`, if any. */
export function revokingControl(
  controls: readonly Control[],
  service: string,
  session: TokenSession,
  nowMs = Date.now(),
): Control | undefined {
  return controls.find((control) => {
    if (control.kind !== sessionRevocationKind || !isControlActive(control, nowMs)) return false;
    const spec = specOf(sessionRevocation.spec, control);
    if (!spec.services.includes(service)) return false;
    if (spec.subjects?.length && !spec.subjects.includes(session.subject)) return false;
    const cutOffSeconds = Date.parse(spec.issuedBefore) / 1000;
    return session.issuedAtSeconds === undefined || session.issuedAtSeconds < cutOffSeconds;
  });
}

/** The 401 for a revoked token: what the user reads is the control's public message. */
export function sessionRevoked(control: Control) {
  const spec = specOf(sessionRevocation.spec, control);
  const message = sessionRevocation.publicMessage(spec as typeof spec & { publicMessage?: string });
  return problem({
    type: kitProblems.sessionRevoked,
    title: "Session signed out",
    status: 401,
    detail: `${message} (${control.kind} ${control.id}, ${control.ticket})`,
    extensions: { control: control.id, kind: control.kind, ticket: control.ticket },
    headers: {
      "www-authenticate":
        'Bearer realm="api", error="invalid_token", error_description="the session was revoked; sign in again"',
    },
  });
}

/** What a service's token verifier needs to honour revocations. */
export interface RevocationSource {
  readonly name: string;
  readonly config: CallerAuthConfig;
  readonly controls: { current(): ControlSet };
}

/**
 * The token verifier of a service that enforces SessionRevocation: the kit's verifier, with
 * every answer (cached or fresh) checked against the controls the replica holds now.
 */
export function createServiceTokenVerifier(service: RevocationSource): TokenVerifier {
  return createTokenVerifier(service.config, sessionCheck(service));
}

/**
 * The check of one session against the controls the replica holds now (throws the 401), for a
 * service that also issues tokens of its own.
 */
export function sessionCheck(service: Omit<RevocationSource, "config">) {
  return (session: TokenSession): void => {
    const control = revokingControl(service.controls.current().controls, service.name, session);
    if (control) throw sessionRevoked(control);
  };
}
