/**
 * @module Controls a service enforces that no control resource declares: a break-glass PUT
 * straight into a service's admin API, or one left behind when its resource vanished without
 * its finalizer. A service stores the operator's controls under
 * `<kind in lowercase>.<namespace>.<name>` (reconcilers/standing-control.ts); any other id,
 * or one whose resource is not in the cluster, is unmanaged. Shared by the operator's
 * periodic report and `npm run controls -- unmanaged`; neither ever lifts one.
 */
import type { AdminClient, StoredControl } from "./admin-client";

export interface UnmanagedControl {
  readonly service: string;
  readonly id: string;
  readonly kind: string;
  readonly actor: string;
  readonly reason: string;
  readonly ticket: string;
  /** When the service last changed it (its age is counted from here). */
  readonly updatedAt: string;
  readonly expiresAt: string | null;
}

/** Whether a control resource of `kind` named `namespace/name` exists. */
export type Declared = (kind: string, namespace: string, name: string) => boolean;

/** Whether the stored control `control` is declared by a resource. */
export function isDeclared(control: StoredControl, declared: Declared): boolean {
  const [prefix, namespace, ...rest] = control.id.split(".");
  const name = rest.join(".");
  if (prefix !== control.kind.toLowerCase() || !namespace || !name) return false;
  return declared(control.kind, namespace, name);
}

export interface UnmanagedScan {
  readonly found: UnmanagedControl[];
  /** Services that were compared (answered), with the kinds they enforce. */
  readonly scanned: string[];
  readonly errors: { readonly service: string; readonly message: string }[];
}

/**
 * Read every service's controls, then ask `declared` (read after the services answered, so
 * a control created meanwhile is already in it) which ones a resource declares.
 */
export async function scanUnmanaged(
  clients: ReadonlyMap<string, AdminClient>,
  declared: () => Declared | Promise<Declared>,
): Promise<UnmanagedScan> {
  const answers = await Promise.all(
    [...clients].map(async ([service, client]) => {
      try {
        return { service, list: await client.list() };
      } catch (error) {
        return { service, error: (error as Error).message };
      }
    }),
  );
  const isKnown = await declared();
  const found: UnmanagedControl[] = [];
  const scanned: string[] = [];
  const errors: UnmanagedScan["errors"] = [];
  for (const answer of answers) {
    if (answer.list === undefined) {
      errors.push({ service: answer.service, message: answer.error ?? "no answer" });
      continue;
    }
    scanned.push(answer.service);
    for (const control of answer.list.controls) {
      if (isDeclared(control, isKnown)) continue;
      found.push({
        service: answer.service,
        id: control.id,
        kind: control.kind,
        actor: control.actor,
        reason: control.reason,
        ticket: control.ticket,
        updatedAt: control.updatedAt,
        expiresAt: control.expiresAt,
      });
    }
  }
  return { found, scanned, errors };
}
