/**
 * @module Drill: a provider outage and a flapping breaker (seed 001, scenarios 1 and 3).
 * Provider a answers every order with 500 while customers keep buying: each purchasing
 * replica's breaker for a opens (purchases fail over to b), lets a trial through, opens again;
 * PurchasingProviderBreakerFlapping fires and reaches Alertmanager (a ticket). The on-call
 * person does what the runbook says for a flapping breaker, disables the provider with a
 * ProviderDisable; every replica stops calling a and the status page says purchases from a
 * are affected. Provider a recovers, the person lifts the disable, a takes orders again.
 */

import type { Answer, PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const provider = "a";
const alertname = "PurchasingProviderBreakerFlapping";
const disableName = "disable-provider-a";
const namespace = "purchasing";
const component = "purchases:a";

/** Customers buying, one purchase at a time round the replicas, until stopped. */
function customers(platform: PlatformClient) {
  const answers: Answer[] = [];
  let running = true;
  const urls = platform.replicas("purchasing");
  const loop = (async () => {
    for (let index = 0; running; index += 1) {
      answers.push(
        await platform
          .purchase(urls[index % urls.length]!)
          .catch(() => ({ status: 0, body: undefined })),
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    /** Answers since `from` (an index into every answer so far). */
    since: (from: number) => answers.slice(from),
    get count() {
      return answers.length;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function ordersOf(platform: PlatformClient, name: string): Promise<number> {
  const answer = await platform.sandbox("GET", "/providers");
  return (answer.body.providers as { name: string; orderRequests: number }[]).find(
    (item) => item.name === name,
  )!.orderRequests;
}

async function componentStatus(platform: PlatformClient): Promise<string | undefined> {
  const summary = await platform.statusSummary();
  return (summary.body.components as { id: string; status: string }[]).find(
    (item) => item.id === component,
  )?.status;
}

const openings = (platform: PlatformClient) =>
  platform.metricSum("purchasing", "provider_circuit_transitions_total", {
    provider,
    state: "open",
  });

async function outage(run: DrillRun, traffic: ReturnType<typeof customers>): Promise<void> {
  const { platform } = run;
  const before = await openings(platform);
  const mark = traffic.count;
  await platform.sandbox("PUT", `/providers/${provider}/mode`, { mode: "error" });
  run.undo(
    async () =>
      void (await platform.sandbox("PUT", `/providers/${provider}/mode`, { mode: "complete" })),
  );
  await run.step(
    `fault injected: provider ${provider} answers 500`,
    async () => "sandbox: PUT /providers/a/mode error",
  );
  await run.step(`metric: breaker OPEN for provider ${provider}`, async () => {
    const now = await openings(platform);
    return now > before && `provider_circuit_transitions_total{state="open"} ${before} → ${now}`;
  });
  await run.step("customers unaffected: purchases fail over to another provider", async () => {
    const completed = traffic
      .since(mark)
      .filter((answer) => answer.status === 201 && answer.body?.provider !== provider);
    return (
      completed.length >= 3 &&
      `${completed.length} purchases completed by ${[...new Set(completed.map((answer) => answer.body?.provider))].join(", ")}`
    );
  });
  await run.step(
    "breaker flaps: OPEN → HALF-OPEN → OPEN at least 3 times",
    async () => {
      const now = await openings(platform);
      return now - before >= 3 && `${now - before} openings`;
    },
    { timeoutMs: 90_000 },
  );
  await run.step(
    `${alertname} firing in Prometheus`,
    async () => {
      const alerts = await platform.prometheusAlerts(alertname);
      return (
        alerts.some((alert) => alert.state === "firing" && alert.labels.provider === provider) &&
        `provider=${provider}`
      );
    },
    { timeoutMs: 90_000 },
  );
  await run.step("Alertmanager routes it (a warning: a ticket)", async () => {
    const alerts = await platform.alertmanagerAlerts(alertname);
    const receivers = alerts.flatMap((alert) => alert.receivers.map((receiver) => receiver.name));
    return receivers.length > 0 && `receivers: ${[...new Set(receivers)].join(", ")}`;
  });
}

async function disable(run: DrillRun, traffic: ReturnType<typeof customers>): Promise<void> {
  const { platform } = run;
  await platform.apply("alice", {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "ProviderDisable",
    metadata: { name: disableName, namespace },
    spec: {
      provider,
      reason: "provider a breaker flapping, route purchases to the others",
      ticket: "INC-2001",
      requestedBy: "alice",
    },
  });
  run.undo(
    async () =>
      void (await platform.kubectl("alice", [
        "delete",
        `providerdisable/${disableName}`,
        "-n",
        namespace,
        "--ignore-not-found",
        "--timeout=60s",
      ])),
  );
  await run.step(
    "on-call decided: alice applied a ProviderDisable (runbook: disable a flapping provider)",
    async () => "providerdisable/disable-provider-a",
  );
  await run.step("disable enforced on every replica", async () => {
    const control = await platform.resource(`providerdisable/${disableName}`, namespace);
    const replicas = platform.replicas("purchasing").length;
    const enforcement = control?.status?.enforcement;
    return (
      enforcement?.acknowledged === replicas &&
      enforcement?.live === replicas &&
      `${enforcement.summary} replicas`
    );
  });
  await run.step(
    "status page: purchases from provider a affected",
    async () => (await componentStatus(platform)) === "partial_outage" && "partial_outage",
  );
  const ordersBefore = await ordersOf(platform, provider);
  const mark = traffic.count;
  await run.step(`customers served without provider ${provider}`, async () => {
    const completed = traffic.since(mark).filter((answer) => answer.status === 201);
    const orders = await ordersOf(platform, provider);
    return (
      completed.length >= 3 &&
      orders === ordersBefore &&
      `${completed.length} purchases completed, provider a got no order`
    );
  });
}

export const providerOutage: PlatformScenario = {
  name: "provider-outage",
  playbook:
    "seed 001 (purchasing): Provider Circuit Breaker OPEN, High Purchase Failure Rate (one provider)",
  summary:
    "provider a fails: breaker opens and flaps, alert, ProviderDisable by on-call, status page, recovery, lift",
  async run(run) {
    const { platform } = run;
    await run.step("platform ready: purchases complete, status page operational", async () => {
      if (await platform.resource(`providerdisable/${disableName}`, namespace))
        throw new Error(`${disableName} already exists: lift it first`);
      const answer = await platform.purchase(platform.replicas("purchasing")[0]!);
      return (
        answer.status === 201 &&
        (await componentStatus(platform)) === "operational" &&
        `purchase completed by ${answer.body.provider}`
      );
    });
    const traffic = customers(platform);
    run.undo(() => traffic.stop());
    await outage(run, traffic);
    await disable(run, traffic);
    await platform.sandbox("PUT", `/providers/${provider}/mode`, { mode: "complete" });
    await run.step(
      `resolution: provider ${provider} answers again`,
      async () => "sandbox: PUT /providers/a/mode complete",
    );
    await platform.kubectl("alice", [
      "delete",
      `providerdisable/${disableName}`,
      "-n",
      namespace,
      "--timeout=60s",
    ]);
    const ordersBefore = await ordersOf(platform, provider);
    await run.step(
      `lift: alice deleted the disable, provider ${provider} takes orders again`,
      async () => {
        const orders = await ordersOf(platform, provider);
        return orders > ordersBefore && `${orders - ordersBefore} new orders`;
      },
    );
    await run.step("status page: operational again, incident in history", async () => {
      const history = (await platform.statusIncidents()).body;
      const resolved = (history.incidents as { status: string; name: string }[]).find(
        (incident) => incident.status === "resolved" && incident.name.includes("provider a"),
      );
      return (
        (await componentStatus(platform)) === "operational" &&
        resolved !== undefined &&
        resolved.name
      );
    });
  },
};
