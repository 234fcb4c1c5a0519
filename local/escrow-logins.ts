/**
 * @module The escrow demo users' logins (seed 004: a password, then a code from the
 * authenticator app). Each user registers through escrow's own API at start; the password and
 * the `otpauth://` URI the API answers once are kept in files beside the kubeconfigs
 * (`.breakwater/platform/escrow-login-<user>.json`, a body for `POST /api/v1/auth/login`, and
 * `escrow-otpauth-<user>`; mode 600, removed on stop), so a person can sign in with curl and
 * `local/escrow-otp.ts` without the password ever being printed.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOTP, URI } from "otpauth";
import { call } from "../test/payments/payments-fixture";
import { platformKubeconfigDir } from "./platform-state";

/** Where a demo user's login lives. */
export interface EscrowLoginFiles {
  /** `{"userId", "password"}`: the body of `POST /api/v1/auth/login`. */
  readonly login: string;
  /** The user's `otpauth://totp/...` URI, as an authenticator app holds it. */
  readonly otpauth: string;
}

/** The files of `user` (whether or not they exist yet). */
export function escrowLoginFiles(user: string): EscrowLoginFiles {
  return {
    login: join(platformKubeconfigDir, `escrow-login-${user}.json`),
    otpauth: join(platformKubeconfigDir, `escrow-otpauth-${user}`),
  };
}

/** Register each of `users` at escrow's `url` with a fresh password; write their files. */
export async function registerEscrowUsers(
  url: string,
  users: readonly string[],
): Promise<Record<string, EscrowLoginFiles>> {
  const files: Record<string, EscrowLoginFiles> = {};
  for (const userId of users) {
    const password = randomBytes(18).toString("base64url");
    const answer = await call(url, "POST", "/api/v1/auth/accounts", { userId, password });
    if (answer.status !== 201) throw new Error(`escrow account ${userId}: ${answer.status}`);
    const paths = escrowLoginFiles(userId);
    writeFileSync(paths.login, JSON.stringify({ userId, password }), { mode: 0o600 });
    writeFileSync(paths.otpauth, (answer.body as { otpauthUri: string }).otpauthUri, {
      mode: 0o600,
    });
    files[userId] = paths;
  }
  return files;
}

/** The code of the TOTP in `otpauthUri`, `offsetSteps` periods from now (an app's display). */
export function currentCode(otpauthUri: string, offsetSteps = 0): string {
  const totp = URI.parse(otpauthUri.trim());
  if (!(totp instanceof TOTP)) throw new Error("expected an otpauth://totp/ URI");
  return totp.generate({ timestamp: Date.now() + offsetSteps * totp.period * 1000 });
}
