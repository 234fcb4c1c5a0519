/** @module `caught(promise)`: the error a promise rejects with (uvu has no async `throws`). */
import * as assert from "uvu/assert";

/** Await `promise` and return what it rejected with; fail the test if it resolved. */
export async function caught(
  promise: Promise<unknown>,
  message = "expected a rejection",
): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.unreachable(message);
  throw new Error("unreachable");
}
