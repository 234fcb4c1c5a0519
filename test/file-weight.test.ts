/** @module Which test files get the lane of files without servers. */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startsServers } from "./file-weight";

const root = join(import.meta.dirname, "..");

test("a file whose fixtures start PostgreSQL or the API server runs with the servers", () => {
  assert.is(startsServers(join(root, "test/operator/read-only-mode.test.ts")), true);
  assert.is(startsServers(join(root, "test/escrow/concurrency.test.ts")), true);
});

test("a file that starts programs of its own runs with the servers", () => {
  assert.is(startsServers(join(root, "drills/restore.test.ts")), true);
});

test("unit tests and Pulumi mocks get the other lane", () => {
  assert.is(startsServers(join(root, "platform/program-cdn-routing.test.ts")), false);
  assert.is(
    startsServers(join(root, "charts/dashboards/service-overview-dashboard.test.ts")),
    false,
  );
});

test.run();
