import { existsSync } from "node:fs";
import { createServer } from "node:net";
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

test("waitUntil reports the log tail when the process dies", async () => {
  const dir = makeTempDir("process-test");
  const managed = startProcess({
    name: "crasher",
    command: "bash",
    args: ["-c", "echo 'listen: address in use'; exit 3"],
    logPath: `${dir}/log`,
  });
  try {
    await waitUntil("crasher ready", async () => false, { process: managed, timeoutMs: 5000 });
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.match(String(error), /the process exited/);
    assert.match(String(error), /address in use/);
  }
});

test.run();
