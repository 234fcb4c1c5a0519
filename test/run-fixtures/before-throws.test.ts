/**
 * @module Runner fixture: a `before` hook that throws after starting a server it never
 * stops, as a harness set-up that fails halfway does. `npm test` must say why and end.
 */
import { createServer } from "node:net";
import { test } from "uvu";

test.before(async () => {
  // A listening server nobody closes keeps a process alive on its own.
  await new Promise<void>((resolve) => createServer().listen(0, "127.0.0.1", resolve));
  throw new Error("postgres: the fixture's server did not start");
});

test("needs the server", () => {});

test.run();
