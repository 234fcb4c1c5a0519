/**
 * @module The credential vault: a seller's credentials sealed with AES-256-GCM (node:crypto),
 * under a key derived per listing with scrypt (memory-hard) from the pepper and a random
 * salt. The pepper is a secret held outside the database (`VAULT_PEPPER`), so a copy of the
 * database alone opens nothing; without the pepper the credentials are lost for good (the
 * runbook says how it is backed up). The listing id is the cipher's associated data, so a
 * sealed row copied onto another listing does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";

export const vaultAlgorithm = "aes-256-gcm";

/** scrypt's parameters, stored with each sealed row so they can be raised later. */
export interface KdfParameters {
  readonly name: "scrypt";
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export interface SealedCredentials {
  readonly algorithm: string;
  readonly kdf: KdfParameters;
  readonly salt: Buffer;
  readonly nonce: Buffer;
  /** The ciphertext followed by GCM's 16-byte tag. */
  readonly ciphertext: Buffer;
}

/** The row could not be opened: another pepper, or a changed row. */
export class VaultOpenError extends Error {
  constructor(readonly listingId: string) {
    super(`the credentials of listing ${listingId} could not be opened`);
    this.name = "VaultOpenError";
  }
}

export interface CredentialVault {
  readonly kdf: KdfParameters;
  seal(listingId: string, secret: unknown): Promise<SealedCredentials>;
  open(listingId: string, sealed: SealedCredentials): Promise<unknown>;
}

const tagLength = 16;

function deriveKey(pepper: string, salt: Buffer, kdf: KdfParameters): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128 * N * r bytes; allow twice that so the parameters, not maxmem, decide.
    const maxmem = 256 * kdf.N * kdf.r;
    scrypt(pepper, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * A vault with `pepper` and scrypt cost `N` (r = 8, p = 1). `onDerive` receives each
 * derivation's duration in seconds (for the metric).
 * @example const vault = createCredentialVault(config.VAULT_PEPPER, 2 ** 15);
 */
export function createCredentialVault(
  pepper: string,
  N: number,
  onDerive: (seconds: number) => void = () => undefined,
): CredentialVault {
  const kdf: KdfParameters = { name: "scrypt", N, r: 8, p: 1 };
  async function timedKey(salt: Buffer, parameters: KdfParameters): Promise<Buffer> {
    const started = process.hrtime.bigint();
    const key = await deriveKey(pepper, salt, parameters);
    onDerive(Number(process.hrtime.bigint() - started) / 1e9);
    return key;
  }
  return {
    kdf,
    async seal(listingId, secret) {
      const salt = randomBytes(16);
      const nonce = randomBytes(12);
      const key = await timedKey(salt, kdf);
      const cipher = createCipheriv(vaultAlgorithm, key, nonce, { authTagLength: tagLength });
      cipher.setAAD(Buffer.from(listingId));
      const body = Buffer.concat([cipher.update(JSON.stringify(secret), "utf8"), cipher.final()]);
      return {
        algorithm: vaultAlgorithm,
        kdf,
        salt,
        nonce,
        ciphertext: Buffer.concat([body, cipher.getAuthTag()]),
      };
    },
    async open(listingId, sealed) {
      if (sealed.algorithm !== vaultAlgorithm) throw new VaultOpenError(listingId);
      const key = await timedKey(sealed.salt, sealed.kdf);
      const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - tagLength);
      const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - tagLength);
      try {
        const decipher = createDecipheriv(vaultAlgorithm, key, sealed.nonce, {
          authTagLength: tagLength,
        });
        decipher.setAAD(Buffer.from(listingId));
        decipher.setAuthTag(tag);
        const text = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
        return JSON.parse(text) as unknown;
      } catch {
        throw new VaultOpenError(listingId);
      }
    },
  };
}
