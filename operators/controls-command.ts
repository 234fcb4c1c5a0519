/**
 * @module `npm run controls -- unmanaged [--output json]`: the controls the target services
 * enforce that no control resource in the cluster declares (a break-glass PUT through an
 * admin API, or one left behind), with service, kind, id, actor, ticket, age and reason.
 * Configured like the operator: `$KUBECONFIG` and `OPERATOR_TARGETS_FILE` (the admin tokens
 * are read from the Secrets the targets file names). A bad setting prints one line naming it
 * and exits 1; a service that cannot be asked is named on stderr and the exit status is 1.
 * It only lists: runbooks/operator/OperatorUnmanagedControl.md says how to adopt or lift one.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { createAdminClient } from "./admin-client";
import { ConfigError, loadConfig } from "./config";
import { controlGroup, controlVersion } from "./crds/common";
import { controlKinds } from "./crds/index";
import { createKubeApi, type KubeApi } from "./runtime/kube-api";
import { type ControlObject, collectionPath } from "./runtime/resource";
import { createTokenSource } from "./secret-tokens";
import { loadTargets, type Targets } from "./targets";
import { scanUnmanaged, type UnmanagedControl, type UnmanagedScan } from "./unmanaged-controls";

const usage = "usage: npm run controls -- unmanaged [--output json]";

/** Every control resource in `namespaces` (empty: all), as `kind/namespace/name`. */
async function declaredControls(api: KubeApi, namespaces: readonly string[]) {
  const keys = new Set<string>();
  const scopes = namespaces.length > 0 ? namespaces : [undefined];
  for (const definition of controlKinds) {
    const type = { group: controlGroup, version: controlVersion, ...definition };
    for (const namespace of scopes) {
      const list = await api.list<{ items: ControlObject[] }>(collectionPath(type, namespace));
      for (const item of list.items)
        keys.add(`${definition.kind}/${item.metadata.namespace}/${item.metadata.name}`);
    }
  }
  return keys;
}

/** Compare every target service with the cluster's control resources. */
export async function findUnmanaged(
  api: KubeApi,
  targets: Targets,
  namespaces: readonly string[] = [],
): Promise<UnmanagedScan> {
  const tokens = createTokenSource(api);
  const clients = new Map(
    Object.entries(targets.services).map(([service, target]) => [
      service,
      createAdminClient({
        service,
        baseUrl: target.adminUrl,
        token: (refresh) => tokens(target.tokenSecret, refresh),
      }),
    ]),
  );
  // The services answer first, then the resources are read: a control created meanwhile
  // is declared by then.
  return scanUnmanaged(clients, async () => {
    const keys = await declaredControls(api, namespaces);
    return (kind, namespace, name) => keys.has(`${kind}/${namespace}/${name}`);
  });
}

/** `4s`, `12m`, `3h`, `2d`, as kubectl shows ages. */
export function age(sinceIso: string, nowMs = Date.now()): string {
  const seconds = Math.max(0, Math.floor((nowMs - Date.parse(sinceIso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** The table `controls unmanaged` prints, widest cell per column. */
export function unmanagedTable(found: readonly UnmanagedControl[], nowMs = Date.now()): string {
  const header = ["SERVICE", "KIND", "ID", "ACTOR", "TICKET", "AGE", "REASON"];
  const rows = found.map((entry) => [
    entry.service,
    entry.kind,
    entry.id,
    entry.actor,
    entry.ticket,
    age(entry.updatedAt, nowMs),
    entry.reason,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join("  "),
    )
    .join("\n");
}

function settingsOrExit() {
  try {
    const config = loadConfig();
    try {
      return { config, targets: loadTargets(config.targetsFile) };
    } catch (error) {
      throw new ConfigError(`OPERATOR_TARGETS_FILE: ${(error as Error).message}`);
    }
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : (error as Error).message);
    process.exit(1);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.join(" ") === "--output json";
  if (command !== "unmanaged" || (rest.length > 0 && !json)) {
    console.error(usage);
    return 2;
  }
  const { config, targets } = settingsOrExit();
  let api: KubeApi;
  try {
    // A person's kubeconfig may use any credential kubectl supports (exec plugins included).
    const config = new KubeConfig();
    config.loadFromDefault();
    if (!config.getCurrentCluster())
      throw new Error("KUBECONFIG: no current cluster in the kubeconfig");
    api = createKubeApi(config);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const scan = await findUnmanaged(api, targets, config.namespaces);
  for (const { service, message } of scan.errors) console.error(`${service}: ${message}`);
  if (json) console.log(JSON.stringify(scan.found));
  else if (scan.found.length === 0)
    console.log(`no unmanaged controls (${scan.scanned.length} services compared)`);
  else console.log(unmanagedTable(scan.found));
  return scan.errors.length > 0 ? 1 : 0;
}

if (import.meta.main || process.argv[1] === import.meta.filename) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`controls: ${(error as Error).message.split("\n")[0]}`);
      process.exit(1);
    },
  );
}
