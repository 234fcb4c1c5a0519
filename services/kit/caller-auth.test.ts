/** @module Unit tests for the caller-authentication settings and token verification. */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { callerAuthConfigSchema, createTokenVerifier } from "./caller-auth";
import { ProblemError } from "./problem";

const base = { AUTH_ISSUER: "https://id.example", AUTH_AUDIENCE: "https://api.example" };

test("AUTH_JWKS takes an https URL, a loopback http URL, or public keys as JSON", () => {
  for (const good of [
    "https://id.example/.well-known/jwks.json",
    "http://127.0.0.1:8080/jwks.json",
    '{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}',
  ]) {
    assert.ok(callerAuthConfigSchema.safeParse({ ...base, AUTH_JWKS: good }).success, good);
  }
  for (const bad of [
    "http://id.example/jwks.json",
    "not json",
    '{"keys":[]}',
    '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}',
    '{"keys":[{"kty":"EC","d":"private"}]}',
  ]) {
    assert.not.ok(callerAuthConfigSchema.safeParse({ ...base, AUTH_JWKS: bad }).success, bad);
  }
});

test("a token signed with HS256 is refused even when the key set would allow it", async () => {
  const { publicKey } = await generateKeyPair("ES256");
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k" }] });
  const config = callerAuthConfigSchema.parse({ ...base, AUTH_JWKS: jwks });
  const verifier = createTokenVerifier(config);
  const forged = await new SignJWT({ scope: "transfers:write" })
    .setProtectedHeader({ alg: "HS256", kid: "k" })
    .setSubject("bob")
    .setIssuer(base.AUTH_ISSUER)
    .setAudience(base.AUTH_AUDIENCE)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode("a shared secret of enough length!"));
  const error = await verifier.verify(forged).catch((caught: unknown) => caught);
  assert.instance(error, ProblemError);
  assert.is((error as ProblemError).status, 401);
});

test.run();
