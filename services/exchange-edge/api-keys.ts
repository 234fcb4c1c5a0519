/**
 * @module API keys of signed order entry. The secret a trader signs with is
 * HMAC-SHA256(EDGE_API_KEY_MASTER, key id): the edge derives it again to check a request, so
 * PostgreSQL holds only its SHA-256 digest and a copy of the table signs nothing. Rotation
 * issues a new key and lets the old one live for a grace period (both valid meanwhile);
 * revocation ends a key at once.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Pool } from "../kit/db";

export interface ApiKey {
  readonly keyId: string;
  readonly trader: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/** A new key: the only time its secret is shown. */
export interface IssuedKey extends ApiKey {
  readonly secret: string;
}

interface KeyRow {
  key_id: string;
  trader: string;
  secret_sha256: Buffer;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export class ApiKeys {
  constructor(
    private readonly pool: Pool,
    private readonly master: string,
  ) {}

  /** The signing secret of `keyId` (hex). */
  secretOf(keyId: string): string {
    return createHmac("sha256", this.master).update(`edge-api-key:${keyId}`).digest("hex");
  }

  async issue(trader: string): Promise<IssuedKey> {
    const keyId = `bwk_${randomBytes(12).toString("hex")}`;
    const secret = this.secretOf(keyId);
    const { rows } = await this.pool.query<KeyRow>(
      `INSERT INTO edge_api_keys (key_id, trader, secret_sha256) VALUES ($1, $2, $3) RETURNING *`,
      [keyId, trader, sha256(secret)],
    );
    return { ...shown(rows[0]!), secret };
  }

  /** A new key for the same trader; the old one expires after `graceSeconds`. Undefined for an unknown or ended key. */
  async rotate(keyId: string, graceSeconds: number): Promise<IssuedKey | undefined> {
    const current = await this.usable(keyId);
    if (!current) return undefined;
    const issued = await this.issue(current.trader);
    await this.pool.query(
      `UPDATE edge_api_keys SET replaced_by = $2,
         expires_at = LEAST(coalesce(expires_at, 'infinity'), now() + make_interval(secs => $3))
       WHERE key_id = $1`,
      [keyId, issued.keyId, graceSeconds],
    );
    return issued;
  }

  async revoke(keyId: string): Promise<ApiKey | undefined> {
    const { rows } = await this.pool.query<KeyRow>(
      `UPDATE edge_api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING *`,
      [keyId],
    );
    return rows[0] ? shown(rows[0]) : undefined;
  }

  /** The key if it exists, is neither revoked nor expired, and was issued under this master. */
  async usable(keyId: string): Promise<ApiKey | undefined> {
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT * FROM edge_api_keys
        WHERE key_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [keyId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return timingSafeEqual(row.secret_sha256, sha256(this.secretOf(keyId)))
      ? shown(row)
      : undefined;
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function shown(row: KeyRow): ApiKey {
  return {
    keyId: row.key_id,
    trader: row.trader,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
