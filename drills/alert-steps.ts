/**
 * @module The alert steps every incident drill takes: the alert firing in Prometheus for the
 * labels of its incident, routed by Alertmanager, the page, and later the alert resolved.
 */
import type { DrillRun, StepOptions } from "./platform-drill";

/** Whether `alert` carries every label of `labels`. */
const carries = (alert: { labels: Record<string, string> }, labels: Record<string, string>) =>
  Object.entries(labels).every(([name, value]) => alert.labels[name] === value);

const described = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");

/** Step: `alertname` with `labels` firing in Prometheus; the detail names `shown` labels too. */
export async function alertFiring(
  run: DrillRun,
  alertname: string,
  labels: Record<string, string>,
  options: StepOptions & { readonly shown?: readonly string[] } = {},
): Promise<void> {
  await run.step(
    `${alertname} firing in Prometheus`,
    async () => {
      const alerts = await run.platform.prometheusAlerts(alertname);
      const alert = alerts.find((item) => item.state === "firing" && carries(item, labels));
      const extra = Object.fromEntries(
        (options.shown ?? []).map((name) => [name, alert?.labels[name] ?? ""]),
      );
      return alert !== undefined && described({ ...labels, ...extra });
    },
    options,
  );
}

/** Step: Alertmanager holds it and routed it to a receiver, `receivers` among them. */
export async function alertRouted(
  run: DrillRun,
  name: string,
  alertname: string,
  receivers: readonly string[],
): Promise<void> {
  await run.step(name, async () => {
    const alerts = await run.platform.alertmanagerAlerts(alertname);
    const routed = new Set(alerts.flatMap((alert) => alert.receivers.map((item) => item.name)));
    return (
      routed.size > 0 &&
      receivers.every((receiver) => routed.has(receiver)) &&
      `receivers: ${[...routed].sort().join(", ")}`
    );
  });
}

/** Step: the sandbox's pager received a trigger whose summary names `alertname`. */
export async function oncallPaged(run: DrillRun, alertname: string): Promise<void> {
  await run.step("on-call paged", async () => {
    const pages = (await run.platform.sandbox("GET", "/pages")).body.pages as {
      event_action?: string;
      payload?: { summary?: string };
    }[];
    const page = pages.find(
      (item) => item.event_action === "trigger" && item.payload?.summary?.includes(alertname),
    );
    return page !== undefined && (page.payload?.summary ?? "");
  });
}

/** Step `name`: no alert `alertname` with `labels` left in Prometheus. */
export async function alertResolved(
  run: DrillRun,
  name: string,
  alertname: string,
  labels: Record<string, string>,
  options: StepOptions = {},
): Promise<void> {
  await run.step(
    name,
    async () => {
      const alerts = await run.platform.prometheusAlerts(alertname);
      return !alerts.some((alert) => carries(alert, labels)) && "no longer firing";
    },
    options,
  );
}
