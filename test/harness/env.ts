/**
 * @module `npm run env:up` / `npm run env:down`: the harness's real servers (PostgreSQL,
 * Redis, Kafka, Kubernetes API, Prometheus, Alertmanager) kept running on loopback for
 * local work. `up` prints their endpoints as JSON and writes them, with the process groups
 * and temp dirs that `down` stops and removes, to `.breakwater/env.json`; admin and user
 * kubeconfigs go beside it.
 */
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startKafka } from "./kafka";
import { startKube } from "./kube";
import { writeKubeconfigs } from "./kubeconfigs";
import { startPostgres } from "./postgres";
import { startAlertmanager, startPrometheus } from "./prometheus";
import { startRedis } from "./redis";

const root = resolve(import.meta.dirname, "..", "..");
const stateDir = join(root, ".breakwater");
const envFile = join(stateDir, "env.json");

/** A process group that `down` stops: its leader's pid, and the temp dir its command names. */
interface RecordedProcess {
  readonly name: string;
  readonly pid: number;
  readonly dir: string;
}

interface EnvState {
  readonly endpoints: Record<string, unknown>;
  /** In stop order. */
  readonly processes: readonly RecordedProcess[];
  readonly dirs: readonly string[];
  readonly files: readonly string[];
}

/**
 * Whether `pid` is alive and still the server we started, not a recycled pid: its command
 * line names its temp dir, or (redis-server rewrites its title) it runs in it.
 */
function isOurs(recorded: RecordedProcess): boolean {
  try {
    const commandLine = readFileSync(`/proc/${recorded.pid}/cmdline`, "utf8");
    return (
      commandLine.includes(recorded.dir) ||
      readlinkSync(`/proc/${recorded.pid}/cwd`) === recorded.dir
    );
  } catch {
    return false;
  }
}

function readState(): EnvState | null {
  if (!existsSync(envFile)) return null;
  return JSON.parse(readFileSync(envFile, "utf8")) as EnvState;
}

function elapsed(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

/** Start `what`, telling stderr how long it took (stdout is only the JSON). */
async function timed<T>(what: string, start: () => Promise<T>): Promise<T> {
  const startedMs = Date.now();
  const result = await start();
  console.error(`env:up: ${what} ready in ${elapsed(startedMs)}`);
  return result;
}

async function up(): Promise<void> {
  const existing = readState();
  if (existing) {
    const dead = existing.processes.filter((recorded) => !isOurs(recorded));
    if (dead.length === 0) {
      console.error("env:up: already up (npm run env:down stops it)");
      console.log(JSON.stringify(existing.endpoints, null, 2));
      return;
    }
    console.error(
      `env:up: the environment in ${envFile} is partly gone (${dead.map((d) => d.name).join(", ")}); run \`npm run env:down\` first`,
    );
    process.exitCode = 1;
    return;
  }
  mkdirSync(stateDir, { recursive: true });
  const stops: (() => Promise<unknown>)[] = [];
  const pending: Promise<unknown>[] = [];
  try {
    const detached = { detached: true } as const;
    // The JVM and the apiserver are the slow ones: start them side by side with the rest.
    const kafkaStarting = timed("kafka", () => startKafka(detached));
    const kubeStarting = timed("kubernetes", () => startKube(detached));
    pending.push(
      kafkaStarting.then((server) => stops.push(() => server.stop())),
      kubeStarting.then((cluster) => stops.push(() => cluster.stop())),
    );
    const postgres = await timed("postgres", () => startPostgres(detached));
    stops.push(() => postgres.stop());
    const databaseUrl = await postgres.createDatabase("breakwater");
    const redis = await timed("redis", () => startRedis(detached));
    stops.push(() => redis.stop());
    const alertmanager = await timed("alertmanager", () => startAlertmanager(detached));
    stops.push(() => alertmanager.stop());
    const prometheus = await timed("prometheus", () =>
      startPrometheus({ ...detached, alertmanagerUrl: alertmanager.url }),
    );
    stops.push(() => prometheus.stop());
    const [kafka, kube] = await Promise.all([kafkaStarting, kubeStarting]);
    const kubeconfigs = await writeKubeconfigs(kube, stateDir);

    const endpoints = {
      postgres: {
        url: databaseUrl,
        adminUrl: postgres.url,
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        password: postgres.password,
        database: "breakwater",
      },
      redis: { url: redis.url },
      kafka: { brokers: kafka.brokers },
      kubernetes: { server: kube.server, kubeconfig: kubeconfigs.admin, kubeconfigs },
      prometheus: { url: prometheus.url, config: prometheus.configPath },
      alertmanager: { url: alertmanager.url, config: alertmanager.configPath },
      environment: {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        KAFKA_BROKERS: kafka.brokers.join(","),
        KUBECONFIG: kubeconfigs.admin,
      },
    };
    const processes: RecordedProcess[] = [
      ...kube.processes.map(({ name, pid }) => ({ name, pid, dir: kube.dir })),
      ...[
        { name: "postgres", server: postgres },
        { name: "redis", server: redis },
        { name: "kafka", server: kafka },
        { name: "prometheus", server: prometheus },
        { name: "alertmanager", server: alertmanager },
      ].map(({ name, server }) => ({ name, pid: server.pid ?? 0, dir: server.dir })),
    ];
    const state: EnvState = {
      endpoints,
      processes,
      dirs: [kube.dir, postgres.dir, redis.dir, kafka.dir, prometheus.dir, alertmanager.dir],
      files: Object.values(kubeconfigs),
    };
    writeFileSync(envFile, `${JSON.stringify(state, null, 2)}\n`);
    console.log(JSON.stringify(endpoints, null, 2));
  } catch (error) {
    // Nothing is half-started: stop whatever came up, the slow starters included.
    await Promise.allSettled(pending);
    await Promise.allSettled(stops.map((stop) => stop()));
    throw error;
  }
}

/** Alive and not a zombie waiting for init to reap it (our children outlived their parent). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function stopGroup(recorded: RecordedProcess, graceMs: number): Promise<void> {
  if (recorded.pid <= 0 || !isOurs(recorded)) return;
  try {
    process.kill(-recorded.pid, "SIGTERM");
  } catch {}
  const deadline = Date.now() + graceMs;
  while (alive(recorded.pid) && Date.now() < deadline) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  try {
    process.kill(-recorded.pid, "SIGKILL");
  } catch {}
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    console.error(`env:down: nothing is up (no ${envFile})`);
    return;
  }
  for (const recorded of state.processes) {
    const startedMs = Date.now();
    await stopGroup(recorded, recorded.name === "kafka" ? 30_000 : 10_000);
    console.error(`env:down: ${recorded.name} stopped in ${elapsed(startedMs)}`);
  }
  for (const dir of state.dirs) {
    if (process.env.BREAKWATER_KEEP_TMP !== "1") rmSync(dir, { recursive: true, force: true });
  }
  for (const file of state.files) rmSync(file, { force: true });
  rmSync(envFile, { force: true });
}

const command = process.argv[2];
if (command === "up") await up();
else if (command === "down") await down();
else {
  console.error(`env: expected "up" or "down", got ${command ?? "nothing"}`);
  process.exitCode = 2;
}
