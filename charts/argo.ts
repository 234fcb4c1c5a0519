/**
 * @module The Argo CD annotations that order a sync and protect data: sync waves (operators
 * and CRDs first, then data, then apps, then alerts) and `Prune=false` on everything that holds
 * data, so deleting a file from git never deletes a database, a volume or a topic.
 */
import type { ApiObject } from "cdk8s";

export const syncWaveAnnotation = "argocd.argoproj.io/sync-wave";
export const syncOptionsAnnotation = "argocd.argoproj.io/sync-options";

/** Sync stages in order; every rendered app belongs to one. */
export const stages = ["operators", "data", "apps", "alerts"] as const;
export type Stage = (typeof stages)[number];

/** The wave of each stage; CRDs go one wave before the rest of the operators stage. */
export const stageWaves: Record<Stage, number> = {
  operators: -10,
  data: 0,
  apps: 10,
  alerts: 20,
};
export const crdWave = stageWaves.operators - 5;

/** Puts an object in a sync wave. */
export function inWave(object: ApiObject, wave: number): void {
  object.metadata.addAnnotation(syncWaveAnnotation, String(wave));
}

/** Tells Argo CD never to prune the object: it holds data. */
export function keepOnPrune(object: ApiObject): void {
  object.metadata.addAnnotation(syncOptionsAnnotation, "Prune=false");
}
