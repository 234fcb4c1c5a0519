/**
 * @module Escrow's login (seed 004): an account is a user id, a password (scrypt hash) and a
 * TOTP secret (sealed by the vault). Logging in is two steps: the password opens an OTP
 * challenge, the code from the user's authenticator app closes it and issues an access token
 * for `escrow:trade`. Attempts are rate limited per user id, repeated failures of either step
 * lock the account, and every outcome is counted by reason (never by user).
 */
import { Secret, TOTP } from "otpauth";
import { type ProblemError, problem } from "../kit/problem";
import { createAccount, findAccount, recordFailure, recordSuccess } from "./accounts";
import type { EscrowContext } from "./escrow-context";
import { escrowScopes } from "./escrow-context";
import { hashPassword, verifyPassword } from "./password-hash";
import { escrowProblems } from "./problems";

const issuerLabel = "breakwater escrow";
const periodSeconds = 30;
/** One step either side of now: the clock of a phone may be a little off. */
const windowSteps = 1;

/** The TOTP of `userId` with `secret` (RFC 6238: SHA-1, 6 digits, 30 s, what apps expect). */
function totpOf(userId: string, secret: Secret): TOTP {
  return new TOTP({ issuer: issuerLabel, label: userId, secret, period: periodSeconds });
}

/** The vault's associated data for a TOTP secret: it opens only for its own user. */
const otpVaultId = (userId: string) => `otp:${userId}`;

/** A hash to check passwords of unknown users against, so they take as long as known ones. */
const decoyHashes = new Map<number, Promise<string>>();
function decoyHash(N: number): Promise<string> {
  let hash = decoyHashes.get(N);
  if (hash === undefined) {
    hash = hashPassword("decoy password never used", N);
    decoyHashes.set(N, hash);
  }
  return hash;
}

export interface Enrolment {
  readonly userId: string;
  /** `otpauth://totp/...` for the authenticator app; shown once, never stored in clear. */
  readonly otpauthUri: string;
}

/** Create an account; its TOTP secret is returned once for the user's authenticator app. */
export async function register(
  context: EscrowContext,
  userId: string,
  password: string,
): Promise<Enrolment> {
  const { config, pool } = context.service;
  const secret = new Secret({ size: 20 });
  const sealed = await context.vault.seal(otpVaultId(userId), secret.base32);
  await createAccount(pool, userId, await hashPassword(password, config.PASSWORD_SCRYPT_N), sealed);
  return { userId, otpauthUri: totpOf(userId, secret).toString() };
}

function loginFailure(context: EscrowContext, reason: string, error: ProblemError): ProblemError {
  context.metrics.loginFailures.inc({ reason });
  return error;
}

const invalidCredentials = () =>
  problem({
    type: escrowProblems.invalidCredentials,
    title: "Invalid user id or password",
    status: 401,
    detail: "the user id or the password is wrong",
  });

function accountLocked(until: Date): ProblemError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return problem({
    type: escrowProblems.accountLocked,
    title: "Account locked",
    status: 423,
    detail: `too many failed attempts; try again in ${seconds} s`,
    headers: { "retry-after": String(seconds) },
  });
}

export interface Challenge {
  readonly challengeId: string;
  readonly expiresInSeconds: number;
}

/** Check the password; on success open an OTP challenge. Throws the problem of a refusal. */
export async function startLogin(
  context: EscrowContext,
  userId: string,
  password: string,
): Promise<Challenge> {
  const { config, pool } = context.service;
  context.metrics.loginAttempts.inc();
  if ((await context.loginStore.countAttempt(userId)) > config.LOGIN_RATE_PER_MINUTE) {
    throw loginFailure(
      context,
      "rate_limited",
      problem({
        type: escrowProblems.loginRateLimited,
        title: "Too many login attempts",
        status: 429,
        detail: `more than ${config.LOGIN_RATE_PER_MINUTE} attempts a minute for this user id`,
        headers: { "retry-after": "60" },
      }),
    );
  }
  const account = await findAccount(pool, userId);
  if (account === undefined) {
    await verifyPassword(password, await decoyHash(config.PASSWORD_SCRYPT_N));
    throw loginFailure(context, "unknown_user", invalidCredentials());
  }
  if (account.lockedUntil !== undefined) {
    throw loginFailure(context, "locked", accountLocked(account.lockedUntil));
  }
  if (!(await verifyPassword(password, account.passwordHash))) {
    await countFailure(context, userId);
    throw loginFailure(context, "bad_password", invalidCredentials());
  }
  const challengeId = await context.loginStore.openChallenge(userId, config.OTP_CHALLENGE_SECONDS);
  return { challengeId, expiresInSeconds: config.OTP_CHALLENGE_SECONDS };
}

async function countFailure(context: EscrowContext, userId: string): Promise<void> {
  const { config, pool } = context.service;
  const locked = await recordFailure(
    pool,
    userId,
    config.LOGIN_ATTEMPTS_MAX,
    config.LOGIN_LOCKOUT_SECONDS,
  );
  if (locked) context.metrics.loginLockouts.inc();
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: "Bearer";
  readonly expiresIn: number;
  readonly scope: string;
}

function otpFailure(context: EscrowContext, outcome: string, error: ProblemError): ProblemError {
  context.metrics.otpVerifications.inc({ outcome });
  return error;
}

const invalidOtp = (detail: string) =>
  problem({ type: escrowProblems.invalidOtp, title: "Invalid OTP", status: 401, detail });

const otpExpired = () =>
  problem({
    type: escrowProblems.otpExpired,
    title: "No such login in progress",
    status: 401,
    detail: "the challenge is unknown, used or expired; log in with the password again",
  });

/** Check the OTP code of a challenge; on success issue an access token. */
export async function finishLogin(
  context: EscrowContext,
  challengeId: string,
  code: string,
): Promise<IssuedToken> {
  const { config, pool } = context.service;
  const store = context.loginStore;
  const userId = await store.challengeUser(challengeId);
  const account = userId === undefined ? undefined : await findAccount(pool, userId);
  if (userId === undefined || account === undefined) {
    throw otpFailure(context, "expired", otpExpired());
  }
  if (account.lockedUntil !== undefined) {
    await store.closeChallenge(challengeId);
    throw otpFailure(context, "locked", accountLocked(account.lockedUntil));
  }
  const secret = (await context.vault.open(otpVaultId(userId), account.otpSealed)) as string;
  const delta = totpOf(userId, Secret.fromBase32(secret)).validate({
    token: code,
    window: windowSteps,
  });
  if (delta === null) {
    await countFailure(context, userId);
    throw otpFailure(context, "invalid", invalidOtp("the code is wrong or too old"));
  }
  const step = Math.floor(Date.now() / 1000 / periodSeconds) + delta;
  if (!(await store.useStep(userId, step, periodSeconds * (2 * windowSteps + 2)))) {
    throw otpFailure(
      context,
      "replayed",
      invalidOtp("this code was used already; wait for the next"),
    );
  }
  if (!(await store.closeChallenge(challengeId)))
    throw otpFailure(context, "expired", otpExpired());
  await recordSuccess(pool, userId);
  context.metrics.otpVerifications.inc({ outcome: "success" });
  const scope = escrowScopes.trade;
  const accessToken = await store.issueToken({ userId, scope }, config.SESSION_TTL_SECONDS);
  return { accessToken, tokenType: "Bearer", expiresIn: config.SESSION_TTL_SECONDS, scope };
}
