/** @module The targets file: validated with errors that name the field; lookups by kind. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { defaultTargetsPath, loadTargets, parseTargets, targetsFor, tokenSecrets } from "./targets";

const example = `
services:
  payments:
    adminUrl: http://payments:8080
    tokenSecret: { namespace: breakwater-system, name: payments-admin-token, key: token }
    enforces: [WithdrawalHalt]
  exchange:
    adminUrl: http://exchange:8080
    tokenSecret: { namespace: exchange, name: exchange-admin, key: token }
    enforces: [SymbolMode, WithdrawalHalt]
`;

test("services are found by the kind they enforce, optionally by name", () => {
  const targets = parseTargets(example, "example");
  assert.equal(
    targetsFor(targets, "WithdrawalHalt").map(([name]) => name),
    ["payments", "exchange"],
  );
  assert.equal(
    targetsFor(targets, "SymbolMode").map(([name]) => name),
    ["exchange"],
  );
  assert.equal(
    targetsFor(targets, "WithdrawalHalt", ["exchange"]).map(([name]) => name),
    ["exchange"],
  );
  assert.equal(targetsFor(targets, "ProviderDisable"), []);
  assert.equal(
    tokenSecrets(targets).map((secret) => secret.name),
    ["payments-admin-token", "exchange-admin"],
  );
  assert.equal(targets.lockFlush.allowedPrefixes, ["lock:purchase:", "lock:payout:"]);
});

test("a bad entry is reported with its path", () => {
  assert.throws(
    () => parseTargets(example.replace("http://payments:8080", "not a url"), "targets.yaml"),
    /^targets\.yaml: services\.payments\.adminUrl: /,
  );
  assert.throws(
    () => parseTargets(example.replace("[WithdrawalHalt]", "[LockFlush]"), "targets.yaml"),
    /services\.payments\.enforces\.0/,
  );
  assert.throws(
    () => parseTargets('lockFlush: { allowedPrefixes: ["session:"] }', "targets.yaml"),
    /lockFlush\.allowedPrefixes\.0/,
  );
});

test("the shipped targets file is valid", () => {
  assert.ok(loadTargets(defaultTargetsPath).services.payments);
});

test.run();
