/**
 * @module The controls of one kind that compete for the same targets, indexed as the
 * informer reports changes (crds/in-force.ts `TargetIndex`), so a reconcile finds its rivals
 * without scanning every control, and a change requeues only the controls whose status it
 * is most likely to alter.
 */
import { type Contender, type InForceReport, TargetIndex } from "../crds/in-force";
import type { ControlObject } from "../runtime/resource";

/** At most this many rivals are requeued by one change; the rest follow on the resync. */
export const requeueMax = 64;

const sameContender = (a: Contender | undefined, b: Contender | undefined) =>
  a?.rank === b?.rank &&
  a?.createdAt === b?.createdAt &&
  JSON.stringify(a?.targets) === JSON.stringify(b?.targets);

export class Rivals {
  readonly #index = new TargetIndex();

  /** @param contenderOf the object as a contender, or undefined when it enforces nothing. */
  constructor(private readonly contenderOf: (object: ControlObject) => Contender | undefined) {}

  /**
   * Record the object under `key` as it is now (undefined: gone). When what it competes
   * with changed (not on a status write) and `related` is asked for, returns the keys of the
   * rivals whose status it can change: the most decisive on the targets it touched or
   * touches, and those it outranks there.
   */
  update(key: string, object: ControlObject | undefined, related: boolean): string[] {
    const before = this.#index.get(key);
    const after = object ? this.contenderOf(object) : undefined;
    if (sameContender(before, after)) return [];
    this.#index.remove(key);
    if (after) this.#index.add(after);
    if (!related) return [];
    const keys = new Set<string>();
    for (const contender of [before, after]) {
      for (const target of contender?.targets ?? []) {
        for (const bucket of this.#index.buckets(target)) {
          for (const rival of bucket.top) keys.add(rival.key);
          for (const rival of bucket.members.values()) {
            if (keys.size >= requeueMax) break;
            if (rival.rank < (contender?.rank ?? 0)) keys.add(rival.key);
          }
        }
      }
    }
    keys.delete(key);
    return [...keys].slice(0, requeueMax);
  }

  /** How `self` fares against the recorded contenders. */
  report(self: Contender): InForceReport {
    return this.#index.report(self);
  }
}
