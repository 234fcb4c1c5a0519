/** @module The committed generated YAML matches what the TypeScript definitions produce. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { staleFiles } from "./generate";

test("operators/crds/generated is up to date (run npm run crds)", () => {
  assert.equal(staleFiles(), []);
});

test.run();
