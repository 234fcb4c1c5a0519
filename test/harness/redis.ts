/**
 * @module A real Redis for tests and `env:up`: Debian's `redis-server` on a free loopback
 * port, persistence off, its working dir a temp dir.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Redis } from "ioredis";
import {
  freePort,
  keepTempDir,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "./process";

export interface RedisServer {
  /** `redis://127.0.0.1:port` */
  readonly url: string;
  readonly port: number;
  /** The temp dir that is redis-server's working dir and holds its log. */
  readonly dir: string;
  readonly logPath: string;
  /** redis-server's pid (its process group), while running. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** Start again after stop(), on the same port (empty: persistence is off). */
  start(): Promise<void>;
}

export interface RedisOptions {
  /** Keep running after this process exits, and keep its temp dir (`env:up`). */
  readonly detached?: boolean;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } finally {
    client.disconnect();
  }
}

/** Start a new redis-server and wait until it answers PING. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) {
    throw new Error(
      "redis: `redis-server` not found (run `npm run setup`, or apt-get install -y redis-server)",
    );
  }
  const dir = makeTempDir("redis");
  if (options.detached) keepTempDir(dir);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const logPath = join(dir, "redis.log");
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
  ];
  let current: ManagedProcess | undefined;

  const start = async () => {
    if (current) return;
    const managed = startProcess({
      name: "redis",
      command: "redis-server",
      args,
      cwd: dir,
      logPath,
      detached: options.detached,
    });
    current = managed;
    await waitUntil(`redis on port ${port}`, () => answers(url), {
      timeoutMs: options.timeoutMs ?? 30_000,
      process: managed,
    });
  };

  const stop = async () => {
    const managed = current;
    current = undefined;
    await managed?.stop(5000);
  };

  await start();
  return {
    url,
    port,
    dir,
    logPath,
    get pid() {
      return current?.child.pid;
    },
    stop,
    start,
  };
}
