/** @module Unit tests of the runbook URL pattern and its inverse. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runbookPath, runbookPathOfUrl, runbookUrl } from "./runbook-url";

const source = { repoURL: "https://github.com/breakwater/breakwater.git", revision: "v1.2.0" };

test("the URL points at the runbook file in the synced revision", () => {
  const url = runbookUrl(source, "payments", "PaymentsLedgerImbalance");
  assert.is(
    url,
    "https://github.com/breakwater/breakwater/blob/v1.2.0/runbooks/payments/PaymentsLedgerImbalance.md",
  );
  assert.is(runbookPathOfUrl(source, url), runbookPath("payments", "PaymentsLedgerImbalance"));
});

test("a URL of another repository, revision or shape is not a runbook of ours", () => {
  assert.is(runbookPathOfUrl(source, "https://example.com/runbooks/payments/X.md"), undefined);
  const other = runbookUrl({ ...source, revision: "main" }, "payments", "X");
  assert.is(runbookPathOfUrl(source, other), undefined);
  const nested = runbookUrl(source, "payments", "X").replace("/X.md", "/../X.md");
  assert.is(runbookPathOfUrl(source, nested), undefined);
});

test.run();
