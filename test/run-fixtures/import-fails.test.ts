/** @module Runner fixture: a file that throws while it is imported. */
import { test } from "uvu";

function loadSettings(): string {
  throw new Error("FIXTURE_SETTING is not set");
}

const setting = loadSettings();

test("uses the setting", () => {
  if (setting === "") throw new Error("unreachable");
});

test.run();
