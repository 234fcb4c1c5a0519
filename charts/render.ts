/**
 * @module Turns an environment's charts into files: one object per file at
 * `<env>/<app>/<kind>-[<namespace>-]<name>.yaml`, every object in its stage's sync wave,
 * deterministic (same environment → same bytes: no timestamps, stable order).
 */
import { Document, isScalar, Scalar, visit } from "yaml";
import type { Environment } from "../environments";
import { buildEnvironment } from "./apps";
import { stageWaves, syncWaveAnnotation } from "./argo";

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

export interface RenderedObject {
  readonly environment: Environment["name"];
  readonly app: string;
  /** Relative to `rendered/`, e.g. `prod/postgres/cluster-data-plane-payments-db.yaml`. */
  readonly path: string;
  readonly object: KubeObject;
}

export const renderedHeader =
  "# Rendered by `npm run synth` from environments/ and charts/. Do not edit: change the source.\n";

/** The file name of an object inside its app folder. */
export function fileName(object: KubeObject): string {
  const parts = [object.kind, object.metadata.namespace, object.metadata.name].filter(Boolean);
  return `${parts.join("-").toLowerCase()}.yaml`;
}

/** Every object of one environment, sorted by path. */
export function renderEnvironment(environment: Environment): RenderedObject[] {
  const rendered: RenderedObject[] = [];
  for (const built of buildEnvironment(environment)) {
    const seen = new Set<string>();
    for (const manifest of built.chart.toJson() as KubeObject[]) {
      const object = built.stage ? withWave(manifest, stageWaves[built.stage]) : manifest;
      const path = `${environment.name}/${built.name}/${fileName(object)}`;
      if (seen.has(path)) throw new Error(`${path}: two objects render to the same file`);
      seen.add(path);
      rendered.push({ environment: environment.name, app: built.name, path, object });
    }
  }
  return rendered.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Adds the stage's sync wave unless the object already has its own (CRDs go earlier). */
function withWave(object: KubeObject, wave: number): KubeObject {
  const annotations = object.metadata.annotations ?? {};
  if (annotations[syncWaveAnnotation] !== undefined) return object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...annotations, [syncWaveAnnotation]: String(wave) },
    },
  };
}

// YAML 1.1 readers (Go's, among them) take an unquoted 2026-11-22T10:30:00Z for a timestamp
// and may reformat it; quoting keeps the exact text a person typed, e.g. a restore target.
const timestampLike = /^\d{4}-\d{2}-\d{2}([Tt ]|$)/;

/** The YAML text of one object, exactly as committed. */
export function toYaml(object: KubeObject): string {
  return renderedHeader + yamlText(object);
}

/** The YAML of one object without the rendered/ header. */
export function yamlText(object: KubeObject): string {
  const document = new Document(object);
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && timestampLike.test(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return document.toString({ lineWidth: 0 });
}
