/**
 * @module Kubernetes-style conditions: setting one keeps its lastTransitionTime unless its
 * status really changed, so writing the same state twice writes nothing new.
 */
import { type ConditionType, conditionTypes } from "../crds/common";
import type { Condition } from "./resource";

export interface ConditionInput {
  readonly type: ConditionType;
  readonly status: boolean | "Unknown";
  readonly reason: string;
  readonly message: string;
}

/** The conditions with `input` set for `generation`, at `now` if its status changed. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  generation: number,
  now: Date,
): Condition[] {
  const status = input.status === "Unknown" ? "Unknown" : input.status ? "True" : "False";
  const previous = conditions?.find((condition) => condition.type === input.type);
  const next: Condition = {
    type: input.type,
    status,
    observedGeneration: generation,
    lastTransitionTime:
      previous && previous.status === status ? previous.lastTransitionTime : now.toISOString(),
    reason: input.reason,
    message: input.message,
  };
  const others = (conditions ?? []).filter((condition) => condition.type !== input.type);
  return [...others, next].sort((a, b) => order(a.type) - order(b.type));
}

export function setConditions(
  conditions: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  return inputs.reduce<Condition[]>(
    (result, input) => setCondition(result, input, generation, now),
    [...(conditions ?? [])],
  );
}

function order(type: string): number {
  const index = conditionTypes.indexOf(type as ConditionType);
  return index === -1 ? 99 : index;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string) {
  return conditions?.find((condition) => condition.type === type);
}
