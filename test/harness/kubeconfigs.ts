/**
 * @module Kubeconfigs for the harness's API server that outlive its temp dir: one per user
 * (admin, alice, ...), the CA inlined, written with mode 600. `env:up` and `npm start` hand
 * them to people and programs.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type KubeCluster, kubeUsers } from "./kube";

const exec = promisify(execFile);

/** Write `kubeconfig` (admin) and `kubeconfig-<user>` into `directory`; their paths by user. */
export async function writeKubeconfigs(
  kube: KubeCluster,
  directory: string,
): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const user of kubeUsers) {
    const path = join(directory, user === "admin" ? "kubeconfig" : `kubeconfig-${user}`);
    const { stdout } = await exec("kubectl", [
      "config",
      "view",
      "--raw",
      "--flatten",
      `--kubeconfig=${kube.kubeconfigFor(user)}`,
    ]);
    writeFileSync(path, stdout, { mode: 0o600 });
    paths[user] = path;
  }
  return paths;
}
