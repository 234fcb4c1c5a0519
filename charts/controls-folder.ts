/**
 * @module Controls from git: each environment's folder of control manifests,
 * `environments/controls/<env>/`, synced by its `controls` Argo CD Application
 * (charts/controls-application.ts). `npm run synth` refuses a folder Argo CD could not sync as
 * intended, one line per problem naming the file and the field: only `.yaml` files, each
 * document a known control kind of `ops.breakwater.dev/v1alpha1` in the environment's services
 * namespace, valid against its CRD's schema (the API server adds its CEL rules at sync), with
 * no `status` and no name declared twice.
 *
 * Why `environments/controls/<env>/` and not `environments/<env>/controls/`: `environments/`
 * holds one TypeScript module per environment (`prod.ts`); the controls of every environment
 * under one folder give reviewers (CODEOWNERS, branch protection) one path to guard and the
 * Applications one pattern, and keep typed configuration and on-call actions apart.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import type { Environment } from "../environments";
import { controlGroup, controlVersion } from "../operators/crds/common";
import { controlKindNames, controlSchemaProblems } from "./control-manifest-schema";

const repositoryRoot = resolve(import.meta.dirname, "..");

/** The folder of an environment's controls, relative to the repository. */
export function controlsPath(environment: Pick<Environment, "name">): string {
  return `environments/controls/${environment.name}`;
}

/** One control manifest from git. */
export interface ControlFile {
  /** Relative to the repository, e.g. `environments/controls/prod/halt-btc.yaml`. */
  readonly file: string;
  readonly object: Record<string, unknown>;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems of one parsed document, each `field: what is wrong`. */
function documentProblems(object: unknown, namespace: string): string[] {
  if (typeof object !== "object" || object === null || Array.isArray(object))
    return ["(document): expected a control resource (a YAML mapping)"];
  const manifest = object as Record<string, unknown>;
  const apiVersion = `${controlGroup}/${controlVersion}`;
  if (manifest.apiVersion !== apiVersion) return [`apiVersion: expected ${apiVersion}`];
  const kindKnown = controlKindNames().includes(String(manifest.kind));
  if (!kindKnown) return [`kind: expected one of ${controlKindNames().join(", ")}`];
  const metadata = (manifest.metadata ?? {}) as Record<string, unknown>;
  const name = metadata.name;
  if (typeof name !== "string" || name.length > 253 || !dnsSubdomain.test(name))
    return ["metadata.name: expected a lowercase DNS name like `halt-btc`"];
  if (metadata.namespace !== namespace)
    return [
      `metadata.namespace: expected ${namespace}, the namespace of this environment's services`,
    ];
  if ("status" in manifest)
    return ["status: a control file declares its spec; the operator writes status"];
  return controlSchemaProblems(String(manifest.kind), manifest) ?? [];
}

/** Reads and checks one environment's folder; `problems` are `file: field: message` lines. */
export function readControlsFolder(
  environment: Environment,
  root: string = repositoryRoot,
): { files: ControlFile[]; problems: string[] } {
  const folder = controlsPath(environment);
  const files: ControlFile[] = [];
  const problems: string[] = [];
  if (!existsSync(join(root, folder)))
    return {
      files,
      problems: [`${folder}: missing (the controls Application syncs it; keep it, even empty)`],
    };
  const declared = new Map<string, string>();
  for (const entry of readdirSync(join(root, folder)).sort()) {
    const file = `${folder}/${entry}`;
    if (entry === "README.md" || entry === ".gitkeep") continue;
    if (!entry.endsWith(".yaml")) {
      problems.push(
        `${file}: (file): expected a .yaml control manifest (the Application syncs only *.yaml)`,
      );
      continue;
    }
    for (const document of parseAllDocuments(readFileSync(join(root, file), "utf8"))) {
      if (document.errors.length > 0) {
        problems.push(
          `${file}: (document): not YAML: ${document.errors[0]!.message.split("\n")[0]}`,
        );
        continue;
      }
      const object = document.toJS() as unknown;
      if (object === null) continue;
      const found = documentProblems(object, environment.namespaces.services.name);
      problems.push(...found.map((problem) => `${file}: ${problem}`));
      if (found.length > 0) continue;
      const manifest = object as { kind: string; metadata: { name: string } };
      const key = `${manifest.kind}/${manifest.metadata.name}`;
      const other = declared.get(key);
      if (other !== undefined) {
        problems.push(`${file}: metadata.name: ${key} is also declared in ${other}`);
        continue;
      }
      declared.set(key, file);
      files.push({ file, object: object as Record<string, unknown> });
    }
  }
  return { files, problems };
}
