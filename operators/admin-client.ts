/**
 * @module A client for a service's controls admin API (`/admin/v1/controls`, served by
 * services/kit/controls-api.ts; DESIGN.md "How a control reaches the services"): upsert,
 * lift, list with the replicas' acknowledgements. Errors carry the service's problem+json.
 * What is sent is typed from the kinds' definitions (operators/crds/), the same schemas the
 * service validates with.
 */
import type { ControlKindName, ControlSpec } from "./crds/index";

/** A control as a service stores it. */
export interface StoredControl {
  id: string;
  kind: string;
  spec: Record<string, unknown>;
  source: Record<string, unknown>;
  reason: string;
  ticket: string;
  actor: string;
  expiresAt: string | null;
  version: number;
  updatedAt: string;
}

export interface ReplicaAcknowledgement {
  id: string;
  version: number;
  ackedAt: string;
  live: boolean;
  /** The Redis the replica uses now, for services that can switch (RedisFailover). */
  redis?: "primary" | "secondary";
}

export interface ControlsList {
  service: string;
  version: number;
  controls: StoredControl[];
  replicas: ReplicaAcknowledgement[];
}

/** The PUT body: a kind and a spec read with one of the kinds' schemas. */
export interface ControlPut {
  kind: ControlKindName;
  spec: ControlSpec<ControlKindName>;
  source: { uid: string; generation: number; namespace: string; name: string };
  reason: string;
  ticket: string;
  actor: string;
  expiresAt?: string;
}

export interface ControlLift {
  actor?: string;
  reason?: string;
  ticket?: string;
}

/** The service answered with an error (or could not be reached: status 0). */
/** What a CancelAll run asks of the exchange: the reference makes a repeat answer the first. */
export interface CancelAllRequest {
  readonly reference: string;
  readonly actor: string;
  readonly reason: string;
  readonly ticket: string;
}

export interface CancelAllResult {
  readonly symbol: string;
  readonly ordersCancelled: number;
  readonly seq: string;
  readonly repeated: boolean;
}

/** What a SettlementReplay run asks of the exchange: the reference makes a repeat answer the first. */
export interface SettlementReplayRequest {
  readonly reference: string;
  readonly fromOffset: number;
  readonly partition?: number;
  readonly symbol?: string;
  readonly actor: string;
  readonly reason: string;
  readonly ticket: string;
}

export interface SettlementReplayResult {
  readonly recordsRead: number;
  readonly alreadySettled: number;
  readonly newlyPosted: number;
  readonly conflicts: number;
  readonly finishedAt: string;
  readonly repeated: boolean;
}

/** How long a replay may take before the operator asks again (the exchange's own limit is 600 s). */
const settlementReplayTimeoutMs = 660_000;

export class AdminApiError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    message: string,
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export interface AdminClient {
  readonly service: string;
  put(id: string, body: ControlPut): Promise<StoredControl>;
  /** The lift's version, or undefined when the control was not there (already lifted). */
  lift(id: string, body: ControlLift): Promise<number | undefined>;
  list(): Promise<ControlsList>;
  /** Another admin action of the service under `/admin/v1` (e.g. escrow's resolutions). */
  request<T>(method: "PUT" | "POST", path: string, body: unknown): Promise<T>;
  /** Cancels every open order on `symbol` (services that enforce CancelAll). */
  cancelAll(symbol: string, body: CancelAllRequest): Promise<CancelAllResult>;
  /** Settles the exchange's trades again from an offset (services that enforce SettlementReplay). */
  settlementReplay(body: SettlementReplayRequest): Promise<SettlementReplayResult>;
}

export interface AdminClientOptions {
  readonly service: string;
  readonly baseUrl: string;
  /** The bearer token; called again (fresh) after a 401. */
  readonly token: (refresh: boolean) => Promise<string>;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const base = options.baseUrl.replace(/\/+$/, "");

  async function send(
    method: string,
    path: string,
    body: unknown,
    refresh: boolean,
    timeoutMs = options.timeoutMs ?? 5000,
  ) {
    const token = await options.token(refresh);
    try {
      return await fetch(`${base}/admin/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new AdminApiError(
        options.service,
        0,
        `${options.service}: ${method} ${path}: ${cause}`,
      );
    }
  }

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    allow404 = false,
    timeoutMs?: number,
  ) {
    let response = await send(method, path, body, false, timeoutMs);
    // A rotated token: read the Secret again once.
    if (response.status === 401) response = await send(method, path, body, true, timeoutMs);
    if (allow404 && response.status === 404) return undefined;
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as T;
    let problem: Record<string, unknown> | undefined;
    try {
      problem = JSON.parse(text) as Record<string, unknown>;
    } catch {}
    const detail = (problem?.detail ?? problem?.title ?? text.slice(0, 200)) as string;
    throw new AdminApiError(
      options.service,
      response.status,
      `${options.service}: ${method} ${path}: ${response.status} ${detail}`,
      problem,
    );
  }

  return {
    service: options.service,
    put: (id, body) =>
      call<StoredControl>("PUT", `/controls/${id}`, body) as Promise<StoredControl>,
    async lift(id, body) {
      const lifted = await call<{ version: number }>("DELETE", `/controls/${id}`, body, true);
      return lifted?.version;
    },
    list: () => call<ControlsList>("GET", "/controls") as Promise<ControlsList>,
    request: <T>(method: "PUT" | "POST", path: string, body: unknown) =>
      call<T>(method, path, body) as Promise<T>,
    cancelAll: (symbol, body) =>
      call<CancelAllResult>(
        "POST",
        `/symbols/${encodeURIComponent(symbol)}/cancel-all`,
        body,
      ) as Promise<CancelAllResult>,
    settlementReplay: (body) =>
      call<SettlementReplayResult>(
        "POST",
        "/settlement/replays",
        body,
        false,
        settlementReplayTimeoutMs,
      ) as Promise<SettlementReplayResult>,
  };
}
