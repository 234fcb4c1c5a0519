/**
 * @module Which of several controls of one kind is in force where they touch the same
 * target, from the kind's own `targets` and `rank` (kind.ts), so the operator's status and
 * the services' enforcement agree. On a shared target the highest rank wins (e.g. HARD_HALT
 * over CANCEL_ONLY), then the newest (the control a service's refusal names), then the name.
 */
import type { ControlTarget } from "./kind";

/** One control as the comparison sees it. */
export interface Contender {
  /** `namespace/name`. */
  readonly key: string;
  readonly rank: number;
  /** RFC 3339 creation time: on equal rank the newest wins. */
  readonly createdAt: string;
  readonly targets: readonly ControlTarget[];
}

/** A target `self` shares with others, and who decides it. */
export interface SharedTarget {
  readonly target: string;
  readonly inForce: string;
  /** Every contender touching it, the one in force first. */
  readonly controls: string[];
}

export interface InForceReport {
  /** Whether `self` decides at least one of its targets. */
  readonly inForce: boolean;
  /** The contenders that decide targets `self` touches too. */
  readonly supersededBy: string[];
  readonly overlaps: SharedTarget[];
}

/** Whether `point` (a payout, an order) falls under `target`; values compare case-insensitively. */
export function targetCovers(target: ControlTarget, point: ControlTarget): boolean {
  return Object.entries(target).every(([dimension, value]) => {
    if (value === undefined) return true;
    const other = point[dimension];
    return other !== undefined && other.toLowerCase() === value.toLowerCase();
  });
}

/** Where `a` and `b` meet (the narrower value per dimension), or undefined if they do not. */
export function targetIntersection(a: ControlTarget, b: ControlTarget): ControlTarget | undefined {
  const meet: Record<string, string | undefined> = {};
  for (const dimension of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const left = a[dimension];
    const right = b[dimension];
    if (left !== undefined && right !== undefined && left.toLowerCase() !== right.toLowerCase())
      return undefined;
    meet[dimension] = left ?? right;
  }
  return meet;
}

/** "currency BTC, service payments"; a dimension without a value reads "every currency". */
export function describeTarget(target: ControlTarget): string {
  return Object.keys(target)
    .sort()
    .map((dimension) => {
      const value = target[dimension];
      return value === undefined ? `every ${dimension}` : `${dimension} ${value}`;
    })
    .join(", ");
}

/** Whether `a` wins over `b` on a target both touch. */
export function outranks(a: Contender, b: Contender): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return a.key > b.key;
}

/** How many controls an overlap names, the one in force first. */
export const overlapNamesMax = 8;

/** `target`, and every target that covers it (a value replaced by "every"): 2^dimensions. */
function generalizations(target: ControlTarget): ControlTarget[] {
  return Object.keys(target).reduce<ControlTarget[]>(
    (result, dimension) =>
      result.flatMap((partial) =>
        target[dimension] === undefined
          ? [partial]
          : [partial, { ...partial, [dimension]: undefined }],
      ),
    [target],
  );
}

const targetKey = (target: ControlTarget) =>
  JSON.stringify(
    Object.keys(target)
      .sort()
      .map((dimension) => [dimension, target[dimension]?.toLowerCase() ?? null]),
  );

const isWide = (target: ControlTarget) =>
  Object.values(target).some((value) => value === undefined);

/** The controls that name one exact target, with the few most decisive kept in order. */
interface Bucket {
  readonly target: ControlTarget;
  readonly members: Map<string, Contender>;
  top: Contender[];
}

function ranked(contenders: Iterable<Contender>, limit: number): Contender[] {
  const sorted = [...contenders].sort((a, b) => (outranks(a, b) ? -1 : outranks(b, a) ? 1 : 0));
  return sorted.slice(0, limit);
}

/**
 * Contenders indexed by the exact targets they name, so "who else touches this" costs the
 * number of distinct targets involved, not the number of controls: thousands of controls on
 * one currency are one bucket.
 */
export class TargetIndex {
  readonly #contenders = new Map<string, Contender>();
  readonly #buckets = new Map<string, Bucket>();
  /** Keys of buckets whose target has a dimension over every value. */
  readonly #wide = new Set<string>();

  get(key: string): Contender | undefined {
    return this.#contenders.get(key);
  }

  add(contender: Contender): void {
    this.remove(contender.key);
    this.#contenders.set(contender.key, contender);
    for (const target of contender.targets) {
      const key = targetKey(target);
      const bucket = this.#buckets.get(key) ?? { target, members: new Map(), top: [] };
      bucket.members.set(contender.key, contender);
      bucket.top = ranked(
        [...bucket.top.filter((c) => c.key !== contender.key), contender],
        overlapNamesMax,
      );
      this.#buckets.set(key, bucket);
      if (isWide(target)) this.#wide.add(key);
    }
  }

  remove(key: string): void {
    const contender = this.#contenders.get(key);
    if (!contender) return;
    this.#contenders.delete(key);
    for (const target of contender.targets) {
      const bucketKey = targetKey(target);
      const bucket = this.#buckets.get(bucketKey);
      if (!bucket) continue;
      bucket.members.delete(key);
      if (bucket.members.size === 0) {
        this.#buckets.delete(bucketKey);
        this.#wide.delete(bucketKey);
      } else if (bucket.top.some((c) => c.key === key)) {
        bucket.top = ranked(bucket.members.values(), overlapNamesMax);
      }
    }
  }

  /** The buckets whose target meets `target`. */
  buckets(target: ControlTarget): Bucket[] {
    if (!isWide(target)) {
      return generalizations(target).flatMap(
        (general) => this.#buckets.get(targetKey(general)) ?? [],
      );
    }
    return [...this.#buckets.values()].filter(
      (bucket) => targetIntersection(bucket.target, target) !== undefined,
    );
  }

  /** The few most decisive contenders that cover all of `target`, the one in force first. */
  decisive(target: ControlTarget): Contender[] {
    const covering = generalizations(target).flatMap(
      (general) => this.#buckets.get(targetKey(general))?.top ?? [],
    );
    return ranked(new Map(covering.map((c) => [c.key, c])).values(), overlapNamesMax);
  }

  /** How `self` fares against the indexed contenders (itself excluded). */
  report(self: Contender): InForceReport {
    const decisive = (target: ControlTarget) =>
      ranked(
        [
          ...this.decisive(target).filter((c) => c.key !== self.key),
          ...(self.targets.some((own) => targetCovers(own, target)) ? [self] : []),
        ],
        overlapNamesMax,
      );
    const decides = self.targets.some(
      (target) => !decisive(target).some((c) => c.key !== self.key && c.rank > self.rank),
    );
    const shared = new Map<string, SharedTarget>();
    for (const target of self.targets) {
      for (const bucket of this.buckets(target)) {
        const meet = targetIntersection(target, bucket.target);
        if (!meet) continue;
        const description = describeTarget(meet);
        if (shared.has(description)) continue;
        const contenders = decisive(meet);
        if (!contenders.some((c) => c.key !== self.key)) continue;
        shared.set(description, {
          target: description,
          inForce: contenders[0]!.key,
          controls: contenders.map((c) => c.key),
        });
      }
    }
    const overlaps = [...shared.values()].sort((a, b) => a.target.localeCompare(b.target));
    const supersededBy = [
      ...new Set(
        overlaps
          .map((overlap) => this.#contenders.get(overlap.inForce))
          .filter(
            (winner) => winner !== undefined && winner.key !== self.key && winner.rank > self.rank,
          )
          .map((winner) => winner!.key),
      ),
    ].sort();
    return { inForce: decides || self.targets.length === 0, supersededBy, overlaps };
  }
}

/**
 * How `self` fares among `others` (controls of its kind that are in force or about to be).
 * It is in force unless, on every target it names, a strictly more restrictive control
 * covers all of that target; on equal rank both enforce, and the newest is named as the one
 * in force there (the control a service's refusal names).
 */
export function inForceOf(self: Contender, others: readonly Contender[]): InForceReport {
  const index = new TargetIndex();
  for (const other of others) if (other.key !== self.key) index.add(other);
  return index.report(self);
}
