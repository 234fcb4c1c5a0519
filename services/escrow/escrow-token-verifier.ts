/**
 * @module Who an escrow caller is: an access token from escrow's own login (password then
 * OTP, kept in Redis) or one from the identity provider (a JWT the kit verifies). Both give
 * the kit's `Caller`, so every route authorizes the same way. Redis unreachable fails closed.
 */
import { type Caller, type TokenVerifier, unauthorized } from "../kit/caller-auth";
import type { TokenSession } from "../kit/session-revocation";
import { type LoginStore, sessionTokenPrefix } from "./login-store";

/**
 * A verifier that routes escrow's own tokens to `store` and the rest to `external`; `check`
 * refuses a session a SessionRevocation signed out (the kit's `sessionCheck`).
 */
export function createEscrowTokenVerifier(
  external: TokenVerifier,
  store: LoginStore,
  check: (session: TokenSession) => void,
): TokenVerifier {
  return {
    async verify(token): Promise<Caller> {
      if (!token.startsWith(sessionTokenPrefix)) return external.verify(token);
      const session = await store.sessionOf(token);
      if (session === undefined) {
        throw unauthorized("invalid_token", "the access token is unknown or expired; log in again");
      }
      check({ subject: session.userId, issuedAtSeconds: session.issuedAtSeconds });
      return {
        subject: session.userId,
        scopes: new Set(session.scope.split(" ")),
        admin: false,
      };
    },
  };
}
