/**
 * @module What the autopilot must remember across replicas and restarts, in one ConfigMap
 * written with compare-and-swap on its resourceVersion: the controls it created (for the
 * rate per rule and the platform budget), those still standing, and when each target's
 * control was lifted (for the cooldown). Only the leader writes it; a new leader reads it.
 */
import { isStatus, type KubeApi } from "../runtime/kube-api";

export interface CreatedEntry {
  readonly rule: string;
  readonly target: string;
  readonly atMs: number;
  /** Created to be enforced without a human (mode auto): what the budget counts. */
  readonly automatic: boolean;
}

export interface OpenEntry {
  readonly rule: string;
  readonly target: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface AutopilotState {
  created: CreatedEntry[];
  /** Controls created and not yet seen gone, by `namespace/name`. */
  open: Record<string, OpenEntry>;
  /** When the control of `rule|target` was seen lifted. */
  lifted: Record<string, number>;
}

interface ConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  data?: Record<string, string>;
}

export function liftKey(rule: string, target: string): string {
  return `${rule}|${target}`;
}

export class StateStore {
  private resourceVersion: string | undefined;
  private saved = "";

  constructor(
    private readonly api: KubeApi,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private get path(): string {
    return `/api/v1/namespaces/${this.namespace}/configmaps/${this.name}`;
  }

  /** Read the stored state (empty when there is none yet). */
  async load(): Promise<AutopilotState> {
    try {
      const map = await this.api.get<ConfigMap>(this.path);
      this.resourceVersion = map.metadata.resourceVersion;
      this.saved = map.data?.["state.json"] ?? "";
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      this.resourceVersion = undefined;
      this.saved = "";
    }
    const parsed = this.saved ? (JSON.parse(this.saved) as Partial<AutopilotState>) : {};
    return { created: parsed.created ?? [], open: parsed.open ?? {}, lifted: parsed.lifted ?? {} };
  }

  /**
   * Write `state` unless unchanged. A conflict means another replica wrote since our read
   * (a takeover): the write fails, and the caller reloads before deciding again.
   */
  async save(state: AutopilotState): Promise<void> {
    const text = JSON.stringify(state);
    if (text === this.saved) return;
    const body: ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { "app.kubernetes.io/name": "breakwater-autopilot" },
        ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
      },
      data: { "state.json": text },
    };
    const stored = this.resourceVersion
      ? await this.api.replace<ConfigMap>(this.path, body)
      : await this.api.create<ConfigMap>(`/api/v1/namespaces/${this.namespace}/configmaps`, body);
    this.resourceVersion = stored.metadata.resourceVersion;
    this.saved = text;
  }
}

/** Drop what no limit looks at any more: creations older than `keepMs`, old lifts. */
export function pruneState(state: AutopilotState, nowMs: number, keepMs: number): void {
  state.created = state.created.filter((entry) => nowMs - entry.atMs < keepMs);
  for (const [key, atMs] of Object.entries(state.lifted)) {
    if (nowMs - atMs >= keepMs) delete state.lifted[key];
  }
}
