/** @module The LockFlush allow-list: only literal `lock:` prefixes the targets file names. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { refusal } from "./lock-flush";

const allowed = ["lock:purchase:", "lock:payout:"];

test("patterns under an allowed prefix pass", () => {
  assert.is(refusal("lock:purchase:*", allowed), undefined);
  assert.is(refusal("lock:payout:42", allowed), undefined);
});

test("anything else is refused with a reason", () => {
  assert.match(refusal("lock:*", allowed) ?? "", "outside the allow-list");
  assert.match(refusal("lock:purchase*", allowed) ?? "", "outside the allow-list");
  assert.match(refusal("session:*", allowed) ?? "", "outside the allow-list");
  assert.match(refusal("lock:purchase:", allowed) ?? "", "matches nothing");
});

test.run();
