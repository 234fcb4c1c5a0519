/**
 * @module The running platform as a drill sees it (from `.breakwater/platform.json`): kubectl
 * as a person, the alerts in Prometheus and Alertmanager, a metric summed over a service's
 * replicas, the status page's feed, the sandbox (outside parties, customers' tokens, pages),
 * a customer's payout or purchase, and SQL on a service's database (to inject a fault).
 */
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import type { PlatformState } from "../local/platform-state";
import { paymentsScopes } from "../services/payments/account-access";
import { purchasingScopes } from "../services/purchasing/purchasing-context";
import { metricValue } from "../test/payments/payments-fixture";

const exec = promisify(execFile);

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes.
  readonly body: any;
}

export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly state: "pending" | "firing";
}

async function json(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

/** A client of the platform described by `state`. */
export function platformClient(state: PlatformState) {
  const tokens = new Map<string, string>();
  const pools = new Map<string, pg.Pool>();

  async function sandbox(method: string, path: string, body?: unknown): Promise<Answer> {
    return json(`${state.endpoints.sandbox}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${state.sandboxToken}`,
        "content-type": "application/json",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function customerToken(service: string, scopes: readonly string[]): Promise<string> {
    const cached = tokens.get(service);
    if (cached) return cached;
    const answer = await sandbox("POST", "/tokens", { service, subject: "drills", scopes });
    if (answer.status !== 200) throw new Error(`sandbox token: ${answer.status}`);
    tokens.set(service, answer.body.token);
    return answer.body.token as string;
  }

  async function customerCall(
    service: string,
    scopes: readonly string[],
    url: string,
    body: unknown,
  ): Promise<Answer> {
    return json(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await customerToken(service, scopes)}`,
        "content-type": "application/json",
        "idempotency-key": randomUUID(),
      },
      body: JSON.stringify(body),
    });
  }

  return {
    state,
    replicas: (service: string) => state.services[service]?.urls ?? [],
    /** kubectl as `user`; throws with its stderr on failure. */
    async kubectl(user: string, args: readonly string[]): Promise<string> {
      const kubeconfig = state.kubeconfigs[user];
      if (!kubeconfig) throw new Error(`no kubeconfig for ${user}`);
      const { stdout } = await exec("kubectl", [`--kubeconfig=${kubeconfig}`, ...args]);
      return stdout;
    },
    /** `kubectl apply` of `manifest` (an object) as `user`. */
    apply(user: string, manifest: unknown): Promise<string> {
      return new Promise((resolve, reject) => {
        const child = spawn("kubectl", [
          `--kubeconfig=${state.kubeconfigs[user]}`,
          "apply",
          "-f",
          "-",
        ]);
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk));
        child.on("error", reject);
        child.on("close", (code) =>
          code === 0 ? resolve(output) : reject(new Error(`kubectl apply: ${output.trim()}`)),
        );
        child.stdin.end(JSON.stringify(manifest));
      });
    },
    /** The resource as JSON, or undefined when it does not exist. */
    // biome-ignore lint/suspicious/noExplicitAny: a Kubernetes object.
    async resource(resource: string, namespace: string): Promise<any> {
      const kubeconfig = state.kubeconfigs.admin!;
      const result = await exec("kubectl", [
        `--kubeconfig=${kubeconfig}`,
        "get",
        resource,
        "-n",
        namespace,
        "-o",
        "json",
        "--ignore-not-found",
      ]);
      return result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
    },
    async prometheusAlerts(alertname: string): Promise<PrometheusAlert[]> {
      const answer = await json(`${state.endpoints.prometheus}/api/v1/alerts`);
      return (answer.body.data.alerts as PrometheusAlert[]).filter(
        (alert) => alert.labels.alertname === alertname,
      );
    },
    /** Active alerts named `alertname` in Alertmanager. */
    async alertmanagerAlerts(
      alertname: string,
    ): Promise<{ labels: Record<string, string>; receivers: { name: string }[] }[]> {
      const filter = encodeURIComponent(`alertname="${alertname}"`);
      return (
        await json(`${state.endpoints.alertmanager}/api/v2/alerts?active=true&filter=${filter}`)
      ).body;
    },
    /** The sum of `name{labels}` over the service's replicas. */
    async metricSum(
      service: string,
      name: string,
      labels: Record<string, string> = {},
    ): Promise<number> {
      const values = await Promise.all(
        (state.services[service]?.urls ?? []).map(
          async (url) =>
            metricValue(await (await fetch(`${url}/metrics`)).text(), name, labels) ?? 0,
        ),
      );
      return values.reduce((sum, value) => sum + value, 0);
    },
    async statusSummary(): Promise<Answer> {
      return json(`${state.endpoints.statusPage}/api/v2/summary.json`);
    },
    /** Open and past incidents. */
    async statusIncidents(): Promise<Answer> {
      return json(`${state.endpoints.statusPage}/api/v2/incidents.json`);
    },
    sandbox,
    /** A customer's payout of 1 minor unit from the seeded treasury wallet of `currency`. */
    payout(url: string, currency: string): Promise<Answer> {
      const account = `users:treasury:${currency.toLowerCase()}`;
      return customerCall("payments", Object.values(paymentsScopes), `${url}/v1/payouts`, {
        account,
        amount: "1",
        currency,
        destination: "drill-destination",
      });
    },
    /** A customer's purchase of 1 USD cent from the seeded shopper's wallet. */
    purchase(url: string): Promise<Answer> {
      const scopes = [
        purchasingScopes.purchasesWrite,
        purchasingScopes.purchasesRead,
        purchasingScopes.onBehalf,
      ];
      return customerCall("purchasing", scopes, `${url}/v1/purchases`, {
        account: "users:shopper:wallet",
        item: "sku-gift-card",
        amount: "1",
        currency: "USD",
      });
    },
    /** Run SQL on `service`'s database. */
    async sql(service: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
      let pool = pools.get(service);
      if (!pool) {
        pool = new pg.Pool({ connectionString: state.services[service]!.databaseUrl, max: 2 });
        pools.set(service, pool);
      }
      return pool.query(text, values);
    },
    async close(): Promise<void> {
      await Promise.all([...pools.values()].map((pool) => pool.end()));
    },
  };
}

export type PlatformClient = ReturnType<typeof platformClient>;
