/** @module Tests for the credential vault: round trip, pepper, listing binding, tampering. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createCredentialVault, VaultOpenError } from "./credential-vault";

const pepper = "pepper-for-tests-0123456789abcdef0123";
const listing = "2b0c6f8e-0000-4000-8000-000000000001";
const secret = { username: "seller@example.com", password: "hunter2!" };
const cheap = 2 ** 10;

async function refused(open: () => Promise<unknown>): Promise<void> {
  try {
    await open();
  } catch (error) {
    assert.instance(error, VaultOpenError);
    return;
  }
  assert.unreachable("the vault opened it");
}

test("sealed credentials open with the same pepper and listing, and the ciphertext hides them", async () => {
  const derivations: number[] = [];
  const vault = createCredentialVault(pepper, cheap, (seconds) => derivations.push(seconds));
  const sealed = await vault.seal(listing, secret);
  assert.not.ok(sealed.ciphertext.toString("latin1").includes("hunter2"));
  assert.equal(sealed.kdf, { name: "scrypt", N: cheap, r: 8, p: 1 });
  assert.equal(await vault.open(listing, sealed), secret);
  assert.is(derivations.length, 2);
  const again = await vault.seal(listing, secret);
  assert.not.equal(again.salt, sealed.salt);
  assert.not.equal(again.ciphertext, sealed.ciphertext);
});

test("another pepper, another listing or a changed byte does not open", async () => {
  const sealed = await createCredentialVault(pepper, cheap).seal(listing, secret);
  const otherPepper = createCredentialVault(`${pepper}x`, cheap);
  await refused(() => otherPepper.open(listing, sealed));
  const vault = createCredentialVault(pepper, cheap);
  const otherListing = listing.replace(/1$/, "2");
  await refused(() => vault.open(otherListing, sealed));
  const changed = Buffer.from(sealed.ciphertext);
  changed[0] = changed[0]! ^ 1;
  await refused(() => vault.open(listing, { ...sealed, ciphertext: changed }));
});

test.run();
