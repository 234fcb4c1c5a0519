/**
 * @module `npm run secrets -- rotate|finish` against a real API server, run as a person runs
 * it, with payments replicas configured from the Secret at each step (as their rolling
 * restart would): after `rotate` the old and the new admin token are both accepted and the
 * Deployment reading the Secret was rolled; after `finish` only the new one is; a rotation
 * cannot start twice or finish before it started; no value is ever printed. The webhook
 * secret rotates the same way: deposits signed with either value are accepted in between.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rotationAnnotation } from "../../operators/secret-rotation";
import { signWebhook } from "../../services/kit/webhook-signature";
import { type KubeCluster, startKube } from "../harness/kube";
import {
  call,
  type PaymentsFixture,
  startPaymentsFixture,
  webhookSecret,
} from "../payments/payments-fixture";
import { kubectlOk } from "./cluster";

const root = resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);
const namespace = "breakwater-services";
const oldToken = "old-admin-token-0123456789abcdef";

let cluster: KubeCluster;
let fixture: PaymentsFixture;

function deployment(name: string, secret: string): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image: "registry.example/breakwater@sha256:0000",
              env: [{ name: "X", valueFrom: { secretKeyRef: { name: secret, key: "token" } } }],
            },
          ],
        },
      },
    },
  });
}

test.before(async () => {
  [cluster, fixture] = await Promise.all([startKube(), startPaymentsFixture()]);
  await kubectlOk(cluster, ["create", "namespace", namespace]);
  for (const [name, key, value] of [
    ["payments-admin-token", "token", oldToken],
    ["payments-webhook", "secret", webhookSecret],
  ] as const) {
    await kubectlOk(cluster, [
      ...["create", "secret", "generic", name, "-n", namespace],
      `--from-literal=${key}=${value}`,
    ]);
  }
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: deployment("payments", "payments-admin-token"),
  });
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: deployment("other", "other-secret") });
});

test.after(async () => {
  await fixture?.stop();
  await cluster?.stop();
});

/** `npm run secrets -- <args>` as a person runs it; gives the exit code and output. */
async function secrets(args: string[]) {
  const command = join(root, "operators", "secrets-command.ts");
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", command, ...args], {
      cwd: root,
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

async function secretData(name: string): Promise<Record<string, string>> {
  const object = JSON.parse(
    await kubectlOk(cluster, ["get", "secret", name, "-n", namespace, "-o", "json"]),
  );
  return Object.fromEntries(
    Object.entries(object.data as Record<string, string>).map(([key, value]) => [
      key,
      Buffer.from(value, "base64").toString("utf8"),
    ]),
  );
}

async function restartStamp(name: string): Promise<string | undefined> {
  const object = JSON.parse(
    await kubectlOk(cluster, ["get", "deployment", name, "-n", namespace, "-o", "json"]),
  );
  return object.spec.template.metadata.annotations?.[rotationAnnotation];
}

async function admitted(url: string, token: string): Promise<number> {
  const answer = await call(url, "GET", "/admin/v1/controls", undefined, {
    authorization: `Bearer ${token}`,
  });
  return answer.status;
}

test("rotate: both admin tokens valid and readers rolled; finish: only the new one", async () => {
  const started = await secrets(["rotate", "payments-admin-token"]);
  assert.is(started.code, 0, started.output);
  const during = await secretData("payments-admin-token");
  assert.is(during.token, oldToken);
  const newToken = during.next!;
  assert.ok(newToken.length >= 32);
  assert.not.ok(started.output.includes(newToken) || started.output.includes(oldToken));
  assert.match(started.output, /restarted: payments\n/);
  assert.match((await restartStamp("payments")) ?? "", /^payments-admin-token start /);
  assert.is(await restartStamp("other"), undefined);

  const again = await secrets(["rotate", "payments-admin-token"]);
  assert.is(again.code, 1);
  assert.match(again.output, /already rotating/);

  // A replica restarted mid-rotation: ADMIN_TOKEN from "token", ADMIN_TOKEN_NEXT from "next".
  const rolled = await fixture.startReplica({ ADMIN_TOKEN: oldToken, ADMIN_TOKEN_NEXT: newToken });
  assert.is(await admitted(rolled.url, oldToken), 200);
  assert.is(await admitted(rolled.url, newToken), 200);
  assert.is(await admitted(rolled.url, `${newToken}x`), 401);

  const finished = await secrets(["finish", "payments-admin-token"]);
  assert.is(finished.code, 0, finished.output);
  assert.not.ok(finished.output.includes(newToken) || finished.output.includes(oldToken));
  assert.equal(await secretData("payments-admin-token"), { token: newToken });
  assert.match((await restartStamp("payments")) ?? "", /^payments-admin-token finish /);
  // Not yet restarted, the replica still takes the new token: nothing is refused meanwhile.
  assert.is(await admitted(rolled.url, newToken), 200);
  const after = await fixture.startReplica({ ADMIN_TOKEN: newToken });
  assert.is(await admitted(after.url, newToken), 200);
  assert.is(await admitted(after.url, oldToken), 401);

  const early = await secrets(["finish", "payments-admin-token"]);
  assert.is(early.code, 1);
  assert.match(early.output, /not rotating/);
});

test("the webhook secret rotates the same way: deposits signed with either value verify", async () => {
  assert.is((await secrets(["rotate", "payments-webhook"])).code, 0);
  const next = (await secretData("payments-webhook")).next!;
  const replica = await fixture.startReplica({ WEBHOOK_SECRET_NEXT: next });
  await call(replica.url, "POST", "/v1/accounts", { name: "users:rot:wallet", type: "user" });
  const deposit = async (secret: string) => {
    const raw = JSON.stringify({
      reference: `rot-${randomUUID()}`,
      account: "users:rot:wallet",
      amount: "5",
      currency: "USD",
    });
    const response = await fetch(`${replica.url}/v1/webhooks/deposits`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-webhook-signature": signWebhook(secret, raw),
      },
      body: raw,
    });
    return response.status;
  };
  assert.is(await deposit(webhookSecret), 200);
  assert.is(await deposit(next), 200);
  assert.is(await deposit("some-other-secret-0123456789"), 401);
  assert.is((await secrets(["finish", "payments-webhook"])).code, 0);
  assert.equal(await secretData("payments-webhook"), { secret: next });
});

test("a bad invocation prints the usage and exits 2", async () => {
  const answer = await secrets(["rotate"]);
  assert.is(answer.code, 2);
  assert.match(answer.output, /^usage: npm run secrets/);
});

test.run();
