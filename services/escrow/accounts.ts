/**
 * @module Escrow's user accounts in PostgreSQL: the password's scrypt hash, the sealed TOTP
 * secret, and the failed-attempt count that locks an account. Counting and locking are one
 * UPDATE, so concurrent failures cannot slip past the limit.
 */
import type { Pool } from "../kit/db";
import type { SealedCredentials } from "./credential-vault";

export interface Account {
  readonly userId: string;
  readonly passwordHash: string;
  readonly otpSealed: SealedCredentials;
  /** When the account unlocks; undefined when it is not locked. */
  readonly lockedUntil: Date | undefined;
}

/** The user id is taken. */
export class AccountExistsError extends Error {
  constructor(readonly userId: string) {
    super(`the user id ${userId} is taken`);
    this.name = "AccountExistsError";
  }
}

interface SealedJson {
  algorithm: string;
  kdf: SealedCredentials["kdf"];
  salt: string;
  nonce: string;
  ciphertext: string;
}

function sealedToJson(sealed: SealedCredentials): SealedJson {
  return {
    algorithm: sealed.algorithm,
    kdf: sealed.kdf,
    salt: sealed.salt.toString("base64"),
    nonce: sealed.nonce.toString("base64"),
    ciphertext: sealed.ciphertext.toString("base64"),
  };
}

function sealedFromJson(json: SealedJson): SealedCredentials {
  return {
    algorithm: json.algorithm,
    kdf: json.kdf,
    salt: Buffer.from(json.salt, "base64"),
    nonce: Buffer.from(json.nonce, "base64"),
    ciphertext: Buffer.from(json.ciphertext, "base64"),
  };
}

/** Store a new account; {@link AccountExistsError} when the user id is taken. */
export async function createAccount(
  pool: Pool,
  userId: string,
  passwordHash: string,
  otpSealed: SealedCredentials,
): Promise<void> {
  const { rowCount } = await pool.query(
    `INSERT INTO escrow_accounts (user_id, password_hash, otp_sealed) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO NOTHING`,
    [userId, passwordHash, JSON.stringify(sealedToJson(otpSealed))],
  );
  if (rowCount === 0) throw new AccountExistsError(userId);
}

/** The account of `userId`, or undefined. */
export async function findAccount(pool: Pool, userId: string): Promise<Account | undefined> {
  const { rows } = await pool.query<{
    password_hash: string;
    otp_sealed: SealedJson;
    locked_until: Date | null;
  }>(
    `SELECT password_hash, otp_sealed,
       CASE WHEN locked_until > now() THEN locked_until END AS locked_until
     FROM escrow_accounts WHERE user_id = $1`,
    [userId],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    userId,
    passwordHash: row.password_hash,
    otpSealed: sealedFromJson(row.otp_sealed),
    lockedUntil: row.locked_until ?? undefined,
  };
}

/**
 * Count a failed password or OTP; the `attemptsMax`-th in a row locks the account for
 * `lockoutSeconds` and starts the count again. Resolves true when this failure locked it.
 */
export async function recordFailure(
  pool: Pool,
  userId: string,
  attemptsMax: number,
  lockoutSeconds: number,
): Promise<boolean> {
  const { rows } = await pool.query<{ locked: boolean }>(
    `UPDATE escrow_accounts SET
       failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
       locked_until = CASE WHEN failed_attempts + 1 >= $2
         THEN now() + make_interval(secs => $3) ELSE locked_until END
     WHERE user_id = $1
     RETURNING coalesce(locked_until > now(), false) AS locked`,
    [userId, attemptsMax, lockoutSeconds],
  );
  return rows[0]?.locked ?? false;
}

/** A completed login: the failure count starts again. */
export async function recordSuccess(pool: Pool, userId: string): Promise<void> {
  await pool.query(
    "UPDATE escrow_accounts SET failed_attempts = 0, locked_until = NULL WHERE user_id = $1",
    [userId],
  );
}
