/**
 * @module List-and-watch with a local cache, for one resource type in one namespace (or
 * all). It lists once, then watches from the list's resourceVersion, resumes each new watch
 * from the last resourceVersion it saw (bookmarks included), and relists when the API server
 * answers 410 Gone (the version was compacted away). The first list is retried with the same
 * backoff as later watches: right after its CRD is established the API server may answer
 * 404 or 429 "storage is (re)initializing" for a moment, and that must not stop the operator.
 * Every change to an object, including
 * its disappearance, is reported as its key; what changed is not passed on, because
 * reconcilers are level-triggered and read the cache.
 */
import type { Logger } from "pino";
import { isStatus, type KubeApi, KubeApiError, type WatchEvent } from "./kube-api";
import { collectionPath, type ObjectMeta, objectKey, type ResourceType } from "./resource";

interface KubeObject {
  metadata: Pick<ObjectMeta, "name" | "namespace" | "resourceVersion">;
}

interface ListResult<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

export interface InformerOptions {
  readonly type: ResourceType;
  /** Undefined: all namespaces. */
  readonly namespace?: string;
  /**
   * Called with `namespace/name` whenever the cached object changes or goes away; `origin`
   * says whether a (re)list or a watch event saw it.
   */
  readonly onChange: (key: string, origin: "list" | "watch") => void;
  readonly log: Logger;
  /** How long the server keeps one watch open. @default 60 */
  readonly watchTimeoutSeconds?: number;
  /** Told of each failed first list before it is retried (tests, metrics). */
  readonly onListFailed?: (error: unknown) => void;
  /** Objects per list page. @default 500 */
  readonly pageSize?: number;
}

/** Backoff after `failures` failed calls in a row: 200 ms doubling to 5 s. */
export function retryDelayMs(failures: number): number {
  return Math.min(5000, 100 * 2 ** failures);
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private readonly stopping = new AbortController();
  private synced = false;
  private relistCount = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly options: InformerOptions,
  ) {}

  /**
   * List (retrying with backoff until it succeeds), start watching, and resolve once the
   * cache holds the first list, or once stopped.
   */
  async start(): Promise<void> {
    await this.listUntilSynced();
    if (!this.stopping.signal.aborted) this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** The namespace watched; undefined for all namespaces. */
  get namespace(): string | undefined {
    return this.options.namespace;
  }

  /** How many times it listed (1 + relists after 410 Gone); for tests and logs. */
  get lists(): number {
    return this.relistCount;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  values(): T[] {
    return [...this.cache.values()];
  }

  /**
   * Put an object the operator itself just wrote, so the next reconcile does not act on
   * the version before its own write (the watch event follows shortly with the same one).
   */
  remember(object: T): void {
    const key = objectKey(object);
    const cached = this.cache.get(key);
    if (cached && newer(cached.metadata.resourceVersion, object.metadata.resourceVersion)) return;
    this.cache.set(key, cachedForm(object, this.options.type));
  }

  private async listUntilSynced(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        await this.relist();
        return;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        failures += 1;
        const delayMs = retryDelayMs(failures);
        const status = error instanceof KubeApiError ? error.status : undefined;
        this.options.log.warn(
          { err: error, status, delayMs, type: this.options.type.plural },
          "first list failed; retrying",
        );
        this.options.onListFailed?.(error);
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }

  /**
   * Every object, a page at a time (`limit`/`continue`): one response holding thousands of
   * controls would be held as text and as objects at once. The pages are one consistent
   * snapshot; the last page's resourceVersion is the list's.
   */
  private async listAll(): Promise<ListResult<T>> {
    const path = collectionPath(this.options.type, this.options.namespace);
    const items: T[] = [];
    let next: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: String(this.options.pageSize ?? 500) });
      if (next) query.set("continue", next);
      const page = await this.api.list<ListResult<T>>(`${path}?${query}`);
      for (const item of page.items) items.push(item);
      next = page.metadata.continue || undefined;
      if (next === undefined) return { metadata: page.metadata, items };
    }
  }

  private async relist(): Promise<void> {
    const list = await this.listAll();
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      const cached = this.cache.get(key);
      this.cache.set(key, cachedForm(item, this.options.type));
      if (cached?.metadata.resourceVersion !== item.metadata.resourceVersion)
        this.options.onChange(key, "list");
    }
    for (const key of [...this.cache.keys()]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.options.onChange(key, "list");
    }
    this.resourceVersion = list.metadata.resourceVersion;
    this.synced = true;
    this.relistCount += 1;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        await this.watchOnce();
        failures = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (isStatus(error, 410)) {
          this.options.log.info(
            { type: this.options.type.plural },
            "watch expired (410 Gone): relisting",
          );
          this.resourceVersion = undefined;
          continue;
        }
        failures += 1;
        const delayMs = retryDelayMs(failures);
        this.options.log.warn({ err: error, delayMs }, "watch failed; retrying");
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }

  private async watchOnce(): Promise<void> {
    const query = new URLSearchParams({
      watch: "1",
      allowWatchBookmarks: "true",
      resourceVersion: this.resourceVersion ?? "",
      timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 60),
    });
    const path = `${collectionPath(this.options.type, this.options.namespace)}?${query}`;
    const watch = new AbortController();
    const abort = () => watch.abort();
    this.stopping.signal.addEventListener("abort", abort, { once: true });
    let gone: KubeApiError | undefined;
    try {
      await this.api.watch<T>(
        path,
        (event) => {
          gone ??= this.apply(event);
          if (gone) watch.abort();
        },
        watch.signal,
      );
    } finally {
      this.stopping.signal.removeEventListener("abort", abort);
    }
    if (gone) throw gone;
  }

  /** Apply one event to the cache; returns an error when the watch must restart. */
  private apply(event: WatchEvent<T>): KubeApiError | undefined {
    if (event.type === "ERROR") {
      const status = event.object as unknown as {
        code?: number;
        reason?: string;
        message?: string;
      };
      return new KubeApiError(
        status.code ?? 500,
        status.reason ?? "Unknown",
        status.message ?? "watch error",
      );
    }
    this.resourceVersion = event.object.metadata.resourceVersion;
    if (event.type === "BOOKMARK") return undefined;
    const key = objectKey(event.object);
    if (event.type === "DELETED") this.cache.delete(key);
    else this.cache.set(key, cachedForm(event.object, this.options.type));
    this.options.onChange(key, "watch");
    return undefined;
  }
}

/**
 * The form an object is cached in. List items come without kind, which reconcilers and Events
 * need. `metadata.managedFields` is dropped, as controller-runtime's caches do: nothing here
 * reads it, it is often the larger half of a small object, and an update that omits it keeps
 * the server's copy.
 */
function cachedForm<T>(object: T, type: ResourceType): T {
  const { metadata } = object as { metadata: { managedFields?: unknown } };
  const { managedFields: _dropped, ...kept } = metadata;
  return {
    ...object,
    apiVersion: `${type.group}/${type.version}`,
    kind: type.kind,
    metadata: kept,
  } as T;
}

/** Whether resourceVersion `a` is newer than `b` (etcd revisions; opaque otherwise). */
function newer(a: string, b: string): boolean {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
