/** @module The password hash: a round trip, a wrong password, a changed hash, the cost kept. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hashPassword, verifyPassword } from "./password-hash";

const cheap = 2 ** 10;

test("a password verifies against its own hash and no other password does", async () => {
  const stored = await hashPassword("correct horse battery staple", cheap);
  assert.ok(await verifyPassword("correct horse battery staple", stored));
  assert.not.ok(await verifyPassword("correct horse battery stapler", stored));
});

test("the hash carries its cost and a random salt, and never the password", async () => {
  const first = await hashPassword("same password here", cheap);
  const second = await hashPassword("same password here", cheap);
  assert.ok(first.startsWith(`scrypt$${cheap}$8$1$`));
  assert.is.not(first, second);
  assert.not.ok(first.includes("same password here"));
});

test("a changed or malformed hash verifies nothing", async () => {
  const stored = await hashPassword("a long enough password", cheap);
  const parts = stored.split("$");
  parts[5] = Buffer.alloc(32).toString("base64url");
  assert.not.ok(await verifyPassword("a long enough password", parts.join("$")));
  assert.not.ok(await verifyPassword("a long enough password", "plain"));
  assert.not.ok(await verifyPassword("a long enough password", "scrypt$x$8$1$a$b"));
});

test.run();
