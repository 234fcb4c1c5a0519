/**
 * @module Users' passwords kept only as an scrypt hash (node:crypto): `scrypt$N$r$p$salt$hash`
 * with base64url salt and hash, so each hash carries the cost it was made with and the cost can
 * be raised for new hashes without breaking old ones. Checks compare in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const hashLength = 32;
const r = 8;
const p = 1;

function derive(password: string, salt: Buffer, N: number, rounds: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128 * N * r bytes; allow twice that so the parameters, not maxmem, decide.
    const maxmem = 256 * N * rounds;
    scrypt(password, salt, hashLength, { N, r: rounds, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hash `password` with scrypt cost `N` and a random 16-byte salt.
 * @example await hashPassword("correct horse battery staple", 2 ** 15)
 */
export async function hashPassword(password: string, N: number): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, N, r);
  return ["scrypt", N, r, p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, costText, roundsText, , saltText, hashText] = stored.split("$");
  const N = Number(costText);
  const rounds = Number(roundsText);
  if (scheme !== "scrypt" || !Number.isInteger(N) || !Number.isInteger(rounds)) return false;
  if (saltText === undefined || hashText === undefined) return false;
  const expected = Buffer.from(hashText, "base64url");
  if (expected.length !== hashLength) return false;
  const actual = await derive(password, Buffer.from(saltText, "base64url"), N, rounds);
  return timingSafeEqual(actual, expected);
}
