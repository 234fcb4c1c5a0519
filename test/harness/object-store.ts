/**
 * @module A real S3-compatible object store for tests and drills: moto's server (the Python
 * package `moto[server]`, installed by `npm run setup`), in memory, on a free loopback port.
 * It speaks the S3 REST API that boto3 and so barman-cloud use, path-style.
 */
import { join } from "node:path";
import { freePort, type ManagedProcess, makeTempDir, startProcess, waitUntil } from "./process";
import { pythonTool } from "./python-tools";

export interface ObjectStore {
  /** `http://127.0.0.1:<port>`: what `--endpoint-url` and `endpointURL` take. */
  readonly endpointUrl: string;
  /** The environment an S3 client needs: keys (any are accepted) and the region. */
  readonly credentials: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly logPath: string;
  readonly pid: number | undefined;
  /** Create a bucket; creating one that exists is fine. */
  createBucket(name: string): Promise<void>;
  /** The keys under `prefix` in `bucket`, in S3's order. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface ObjectStoreOptions {
  readonly detached?: boolean;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/** Start an empty object store and wait until it lists buckets. */
export async function startObjectStore(options: ObjectStoreOptions = {}): Promise<ObjectStore> {
  const dir = makeTempDir("object-store");
  const logPath = join(dir, "object-store.log");
  const port = await freePort();
  const endpointUrl = `http://127.0.0.1:${port}`;
  const managed: ManagedProcess = startProcess({
    name: "object-store",
    command: pythonTool("moto_server"),
    args: ["-H", "127.0.0.1", "-p", String(port)],
    cwd: dir,
    logPath,
    detached: options.detached,
  });
  await waitUntil(`object store on port ${port}`, async () => (await fetch(endpointUrl)).ok, {
    timeoutMs: options.timeoutMs ?? 60_000,
    process: managed,
  });

  const createBucket = async (name: string) => {
    const response = await fetch(`${endpointUrl}/${name}`, { method: "PUT" });
    if (!response.ok && response.status !== 409) {
      throw new Error(`object store: creating bucket ${name} answered ${response.status}`);
    }
  };
  const listKeys = async (bucket: string, prefix = "") => {
    const query = new URLSearchParams({ "list-type": "2", prefix });
    const response = await fetch(`${endpointUrl}/${bucket}?${query}`);
    if (!response.ok)
      throw new Error(`object store: listing ${bucket} answered ${response.status}`);
    const body = await response.text();
    return [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]!);
  };

  return {
    endpointUrl,
    credentials: {
      AWS_ACCESS_KEY_ID: "breakwater",
      AWS_SECRET_ACCESS_KEY: "breakwater-local-only",
      AWS_DEFAULT_REGION: "us-east-1",
    },
    dir,
    logPath,
    get pid() {
      return managed.child.pid;
    },
    createBucket,
    listKeys,
    stop: () => managed.stop(2000),
  };
}
