/**
 * @module A real Apache Kafka broker (KRaft mode, one node that is broker and controller)
 * for tests and `env:up`, run with the machine's Java from jars that `npm run setup` fetched
 * from Maven Central into the harness cache. Production runs Redpanda, which speaks the
 * same protocol.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { cachePath, isStamped, stamp } from "./cache";
import {
  freePort,
  keepTempDir,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "./process";

const run = promisify(execFile);

/**
 * Pinned to 3.9.x: kafkajs 2.2.4 still asks for protocol versions that Kafka 4 removed.
 * Change it together with nothing else: the pom takes it as a property.
 */
export const KAFKA_VERSION = "3.9.2";

const pomPath = join(import.meta.dirname, "kafka", "pom.xml");

export interface KafkaServer {
  /** `["127.0.0.1:port"]`, for kafkajs `brokers` and `KAFKA_BROKERS`. */
  readonly brokers: string[];
  /** The temp dir holding server.properties, the log dirs and the log. */
  readonly dir: string;
  readonly logPath: string;
  /** The JVM's pid (its process group), while running. */
  readonly pid: number | undefined;
  /** Controlled shutdown; the log dirs stay. */
  stop(): Promise<void>;
  /** Start again after stop(), on the same ports with the same log dirs: nothing is lost. */
  start(): Promise<void>;
}

export interface KafkaOptions {
  /** Keep running after this process exits, and keep its temp dir (`env:up`). */
  readonly detached?: boolean;
  /** JVM start on two busy cores is slow. @default 180000 */
  readonly timeoutMs?: number;
}

/** The folder of the broker's jars in the cache. */
export function kafkaLibsDir(): string {
  return cachePath(`kafka-${KAFKA_VERSION}`, "libs");
}

/**
 * Fetch the broker's jars with Maven into the cache, unless the cache already has them for
 * this version and this pom. Returns whether anything was fetched.
 */
export async function ensureKafkaJars(): Promise<boolean> {
  const key = `${KAFKA_VERSION} ${createHash("sha256").update(readFileSync(pomPath)).digest("hex")}`;
  const libs = kafkaLibsDir();
  if (isStamped("kafka-jars", key) && existsSync(libs) && readdirSync(libs).length > 0) {
    return false;
  }
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  try {
    await run(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        pomPath,
        `-Dkafka.version=${KAFKA_VERSION}`,
        `-Dmaven.repo.local=${cachePath("maven-repository")}`,
        "dependency:copy-dependencies",
        `-DoutputDirectory=${libs}`,
        "-DincludeScope=runtime",
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    const {
      code,
      stdout = "",
      stderr = "",
    } = error as NodeJS.ErrnoException & {
      stdout?: string;
      stderr?: string;
    };
    if (code === "ENOENT") {
      throw new Error("kafka: `mvn` not found (apt-get install -y maven)");
    }
    throw new Error(`kafka: mvn could not fetch the broker jars:\n${(stdout + stderr).trim()}`);
  }
  stamp("kafka-jars", key);
  return true;
}

/** A KRaft cluster id: 16 random bytes in URL-safe base64, not starting with "-". */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** JVM flags that favour a fast start over peak speed: tests run briefly. */
const jvmFlags = [
  "-Xms128m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-Xshare:auto",
  "-Djava.awt.headless=true",
];

function serverProperties(dir: string, brokerPort: number, controllerPort: number): string {
  return `${[
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${join(dir, "data")}`,
    "num.partitions=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "transaction.state.log.num.partitions=1",
    "auto.create.topics.enable=true",
    "group.initial.rebalance.delay.ms=0",
    "num.network.threads=2",
    "num.io.threads=2",
    "log.flush.interval.messages=9223372036854775807",
  ].join("\n")}\n`;
}

function log4jProperties(): string {
  return `${[
    "log4j.rootLogger=WARN, stdout",
    "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
    "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
    // The lines that say the broker started or stopped.
    "log4j.logger.kafka.server.KafkaRaftServer=INFO",
    "log4j.logger.kafka.server.BrokerServer=INFO",
  ].join("\n")}\n`;
}

async function answers(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: "breakwater-harness-probe",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.listTopics();
    return cluster.brokers.length === 1 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Start a new single-node Kafka broker and wait until a client can talk to it. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaServer> {
  const libs = kafkaLibsDir();
  if (!existsSync(libs) || readdirSync(libs).length === 0) {
    throw new Error(`kafka: no broker jars in ${libs} (run \`npm run setup\`)`);
  }
  const dir = makeTempDir("kafka");
  if (options.detached) keepTempDir(dir);
  const brokerPort = await freePort();
  const controllerPort = await freePort();
  const propertiesPath = join(dir, "server.properties");
  const log4jPath = join(dir, "log4j.properties");
  const logPath = join(dir, "kafka.log");
  writeFileSync(propertiesPath, serverProperties(dir, brokerPort, controllerPort));
  writeFileSync(log4jPath, log4jProperties());
  const classpath = join(libs, "*");
  const java = [...jvmFlags, `-Dlog4j.configuration=file:${log4jPath}`, "-cp", classpath];
  const timeoutMs = options.timeoutMs ?? 180_000;

  try {
    await run(
      "java",
      [...java, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", propertiesPath],
      { cwd: dir },
    );
  } catch (error) {
    const {
      code,
      stdout = "",
      stderr = "",
    } = error as NodeJS.ErrnoException & {
      stdout?: string;
      stderr?: string;
    };
    if (code === "ENOENT")
      throw new Error("kafka: `java` not found (apt-get install -y openjdk-17-jre-headless)");
    throw new Error(`kafka: formatting the log dir failed:\n${(stdout + stderr).trim()}`);
  }

  const brokers = [`127.0.0.1:${brokerPort}`];
  let current: ManagedProcess | undefined;

  const start = async () => {
    if (current) return;
    const managed = startProcess({
      name: "kafka",
      command: "java",
      args: [...java, "kafka.Kafka", propertiesPath],
      cwd: dir,
      logPath,
      detached: options.detached,
    });
    current = managed;
    await waitUntil(`kafka on ${brokers[0]}`, () => answers(brokers), {
      timeoutMs,
      intervalMs: 250,
      process: managed,
    });
  };

  const stop = async () => {
    const managed = current;
    current = undefined;
    // A controlled shutdown flushes and closes the logs, so start() loses nothing.
    await managed?.stop(30_000);
  };

  await start();
  return {
    brokers,
    dir,
    logPath,
    get pid() {
      return current?.child.pid;
    },
    stop,
    start,
  };
}
