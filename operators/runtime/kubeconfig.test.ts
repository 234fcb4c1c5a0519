/** @module Reading a kubeconfig like kubectl: contexts, merged files, credentials, refusals. */
import { writeFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { makeTempDir } from "../../test/harness/process";
import { loadClusterConnection } from "./kubeconfig";

const dir = makeTempDir("kubeconfig");

function file(name: string, content: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(content));
  return path;
}

const clusters = [
  {
    name: "breakwater",
    cluster: {
      server: "https://127.0.0.1:6443",
      "certificate-authority-data": Buffer.from("CA PEM").toString("base64"),
    },
  },
];
const contexts = [{ name: "ops", context: { cluster: "breakwater", user: "operator" } }];

test("the current context's cluster and token are what each request carries", async () => {
  const path = file("token.yaml", {
    "current-context": "ops",
    clusters,
    contexts,
    users: [{ name: "operator", user: { token: "s3cret-token" } }],
  });
  const connection = loadClusterConnection({ KUBECONFIG: path });
  assert.equal(connection.getCurrentCluster(), { server: "https://127.0.0.1:6443" });
  const options: RequestOptions = { headers: { accept: "application/json" } };
  await connection.applyToHTTPSOptions(options);
  assert.is(String(options.ca), "CA PEM");
  assert.equal(options.headers, {
    accept: "application/json",
    authorization: "Bearer s3cret-token",
  });
});

test("colon-separated files merge, the first to name a thing winning", async () => {
  const users = file("users.yaml", {
    users: [{ name: "operator", user: { tokenFile: file("token", {}).replace(/$/, "") } }],
  });
  writeFileSync(join(dir, "token"), "from-a-file\n");
  const main = file("main.yaml", { "current-context": "ops", clusters, contexts });
  const connection = loadClusterConnection({ KUBECONFIG: `${main}:${users}` });
  const options: RequestOptions = {};
  await connection.applyToHTTPSOptions(options);
  assert.equal(options.headers, { authorization: "Bearer from-a-file" });
});

test("an exec plugin or a missing context is refused with one line naming KUBECONFIG", () => {
  const exec = file("exec.yaml", {
    "current-context": "ops",
    clusters,
    contexts,
    users: [{ name: "operator", user: { exec: { command: "gke-gcloud-auth-plugin" } } }],
  });
  assert.throws(
    () => loadClusterConnection({ KUBECONFIG: exec }),
    /^KUBECONFIG: user operator authenticates with an exec or auth-provider plugin/,
  );
  const empty = file("empty.yaml", { clusters });
  assert.throws(
    () => loadClusterConnection({ KUBECONFIG: empty }),
    /^KUBECONFIG: no current cluster in the kubeconfig$/,
  );
});

test.run();
