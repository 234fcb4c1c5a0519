/** @module Unit tests for the audit hash (the chain against PostgreSQL is tested in test/kit). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { auditHash, genesisHash } from "./audit";

const row = {
  at: "2026-11-22T10:00:00.000Z",
  actor: "alice",
  action: "control.put",
  subject: "withdrawalhalt.payments.halt-btc",
  reason: "ledger imbalance",
  ticket: "INC-1",
  before: null,
  after: { kind: "WithdrawalHalt", spec: { scope: { currencies: ["BTC"] } } },
};

test("the hash is stable under key order and changes with content or chain", () => {
  const hash = auditHash(genesisHash, row);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.is(
    auditHash(genesisHash, { ...row, after: { spec: row.after.spec, kind: "WithdrawalHalt" } }),
    hash,
  );
  assert.is.not(auditHash(genesisHash, { ...row, reason: "other" }), hash);
  assert.is.not(auditHash(hash, row), hash);
});

test.run();
