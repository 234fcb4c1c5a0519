/**
 * @module What escrow's login keeps in Redis, each with its expiry: the per-user attempt
 * window (rate limit), OTP challenges between the password and the code, the TOTP steps
 * already used (a code works once), and the access tokens it issued. Tokens are stored
 * under their SHA-256, so a copy of Redis holds no usable token.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/** Escrow's own access tokens start with this (JWTs of the identity provider never do). */
export const sessionTokenPrefix = "esc_";

const keys = {
  rate: (userId: string) => `escrow:login:rate:${userId}`,
  challenge: (id: string) => `escrow:otp:challenge:${id}`,
  usedStep: (userId: string, step: number) => `escrow:otp:used:${userId}:${step}`,
  session: (token: string) => `escrow:session:${createHash("sha256").update(token).digest("hex")}`,
};

export interface Session {
  readonly userId: string;
  readonly scope: string;
  /** When the token was issued (seconds); absent on tokens issued before it was recorded. */
  readonly issuedAtSeconds?: number;
}

export interface LoginStore {
  /** Count an attempt for `userId`; resolves the attempts in the current minute. */
  countAttempt(userId: string): Promise<number>;
  /** A new OTP challenge for `userId`, valid for `ttlSeconds`; resolves its id. */
  openChallenge(userId: string, ttlSeconds: number): Promise<string>;
  /** The user of a live challenge, or undefined. */
  challengeUser(challengeId: string): Promise<string | undefined>;
  /** End a challenge; resolves false when it had already ended (used or expired). */
  closeChallenge(challengeId: string): Promise<boolean>;
  /** Mark a TOTP step used; resolves false when it was used before (a replayed code). */
  useStep(userId: string, step: number, ttlSeconds: number): Promise<boolean>;
  /** Issue an access token for `session`, valid for `ttlSeconds`. */
  issueToken(session: Session, ttlSeconds: number): Promise<string>;
  /** The session of a token this store issued and that has not expired, or undefined. */
  sessionOf(token: string): Promise<Session | undefined>;
}

export function createLoginStore(redis: Redis): LoginStore {
  return {
    async countAttempt(userId) {
      const key = keys.rate(userId);
      const results = await redis.multi().set(key, 0, "EX", 60, "NX").incr(key).exec();
      return Number(results?.[1]?.[1] ?? Number.POSITIVE_INFINITY);
    },
    async openChallenge(userId, ttlSeconds) {
      const id = randomUUID();
      await redis.set(keys.challenge(id), userId, "EX", ttlSeconds);
      return id;
    },
    async challengeUser(challengeId) {
      return (await redis.get(keys.challenge(challengeId))) ?? undefined;
    },
    async closeChallenge(challengeId) {
      return (await redis.del(keys.challenge(challengeId))) === 1;
    },
    async useStep(userId, step, ttlSeconds) {
      return (await redis.set(keys.usedStep(userId, step), 1, "EX", ttlSeconds, "NX")) === "OK";
    },
    async issueToken(session, ttlSeconds) {
      const token = `${sessionTokenPrefix}${randomBytes(32).toString("base64url")}`;
      const issued = { ...session, issuedAtSeconds: Math.floor(Date.now() / 1000) };
      await redis.set(keys.session(token), JSON.stringify(issued), "EX", ttlSeconds);
      return token;
    },
    async sessionOf(token) {
      const text = await redis.get(keys.session(token));
      return text === null ? undefined : (JSON.parse(text) as Session);
    },
  };
}
