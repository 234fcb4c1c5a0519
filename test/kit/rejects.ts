/** @module `rejects(fn, pattern)`: uvu has no async throws assertion, so the kit's tests share this one. */
import * as assert from "uvu/assert";

/** Assert that `fn` rejects with an error whose message matches `pattern`. */
export async function rejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}
