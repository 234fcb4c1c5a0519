/** @module Runner fixture: a test that never ends, for the runner's timeout. */
import { test } from "uvu";

test("waits forever", async () => {
  await new Promise(() => setInterval(() => {}, 1000));
});

test.run();
