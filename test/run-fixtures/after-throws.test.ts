/** @module Runner fixture: every test passes, then the `after` hook throws. */
import { test } from "uvu";

test.after(() => {
  throw new Error("could not stop the fixture's server");
});

test("passes", () => {});

test.run();
