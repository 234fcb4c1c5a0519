/**
 * @module A token issuer for tests: an ES256 key pair, access tokens (JWT) for any subject and
 * scopes signed with it, the public JWKS inline (`AUTH_JWKS` as JSON) or served by a real HTTP
 * server (`AUTH_JWKS` as its URL), as an identity provider would.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface TokenOptions {
  /** Seconds until `exp`. @default 86400 */
  readonly expiresInSeconds?: number;
  /** Override `iss` or `aud` (tests of refusals). */
  readonly issuer?: string;
  readonly audience?: string;
}

export interface TokenIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** `{"keys":[...]}` with the public key only. */
  readonly jwks: string;
  /** `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_JWKS` (inline) for a service's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** A signed access token for `subject` with `scopes`. */
  token(subject: string, scopes: readonly string[], options?: TokenOptions): Promise<string>;
  /** Serve the JWKS over HTTP on loopback; resolves with its URL and a stop function. */
  serveJwks(): Promise<{ readonly url: string; stop(): Promise<void> }>;
}

/** A new issuer with its own key pair (another issuer's tokens do not verify against it). */
export async function createTokenIssuer(
  issuer = "https://identity.test.breakwater.dev",
  audience = "https://payments.test.breakwater.dev",
): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: "ES256", use: "sig", kid: "k1" };
  const jwks = JSON.stringify({ keys: [publicJwk] });
  return {
    issuer,
    audience,
    jwks,
    env: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS: jwks },
    token(subject, scopes, options = {}) {
      return new SignJWT({ scope: scopes.join(" ") })
        .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "at+jwt" })
        .setSubject(subject)
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 86_400))
        .sign(privateKey);
    },
    async serveJwks() {
      const server = createServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" }).end(jwks);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
  };
}
