import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort, makeTempDir, startProcess, waitUntil } from "./process";

test("freePort hands back a port that can be bound on loopback", async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  await new Promise<void>((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
});

test("stop() ends the whole process group, children included", async () => {
  const dir = makeTempDir("process-test");
  const managed = startProcess({
    name: "sleeper",
    command: "bash",
    args: ["-c", "sleep 300 & echo $! > child.pid; wait"],
    cwd: dir,
    logPath: `${dir}/log`,
  });
  await waitUntil("child pid written", async () => existsSync(`${dir}/child.pid`));
  const { readFileSync } = await import("node:fs");
  const childPid = Number(readFileSync(`${dir}/child.pid`, "utf8"));
  await managed.stop(1000);
  await waitUntil(
    "grandchild gone",
    async () => {
      try {
        process.kill(childPid, 0);
        return false;
      } catch {
        return true;
      }
    },
    { timeoutMs: 5000 },
  );
});

test("waitUntil says in its first line how the process died and what it logged last", async () => {
  const dir = makeTempDir("process-test");
  const managed = startProcess({
    name: "crasher",
    command: "bash",
    args: ["-c", "echo 'starting'; echo 'listen: address in use'; exit 3"],
    logPath: `${dir}/log`,
  });
  try {
    await waitUntil("crasher ready", async () => false, { process: managed, timeoutMs: 60_000 });
    assert.unreachable("should have thrown");
  } catch (error) {
    const [firstLine, ...rest] = (error as Error).message.split("\n");
    assert.is(firstLine, "crasher ready: the process exited with code 3: listen: address in use");
    assert.match(rest.join("\n"), /starting/, "the log tail follows");
  }
});

test("a program that cannot be run is named with the reason", async () => {
  const dir = makeTempDir("process-test");
  const managed = startProcess({
    name: "missing",
    command: join(dir, "no-such-server"),
    args: [],
    logPath: `${dir}/log`,
  });
  try {
    await waitUntil("missing ready", async () => false, { process: managed, timeoutMs: 60_000 });
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.is(
      (error as Error).message,
      `missing ready: the process could not run ${join(dir, "no-such-server")}: spawn ${join(dir, "no-such-server")} ENOENT`,
    );
  }
});

test.run();
