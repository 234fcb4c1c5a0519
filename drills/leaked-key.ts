/**
 * @module Drill: a leaked key (seed 003, "Secret / Key Leak": revoke the compromised
 * credentials, force logout tokens). demo-buyer's escrow session token leaks (it reads the
 * buyer's transaction on every replica); alice signs out every escrow session issued before
 * the leak with a SessionRevocation applied with kubectl; every replica acknowledges it, the
 * leaked token gets 401 `auth/session-revoked` naming the control while a fresh login (a
 * password and a code) works, and the status page tells customers to sign in again; alice
 * lifts it and the page is operational again with the incident in its history.
 *
 * In production the revocation stays until the revoked tokens have expired
 * (SESSION_TTL_SECONDS past `issuedBefore`); the drill lifts it at once, which lets the leaked
 * token through again on this local platform.
 */

import { type EscrowClient, escrowClient } from "./escrow-client";
import type { PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const revocationName = "escrow-session-leak";
const namespace = "breakwater-services";
const buyer = "demo-buyer";
const seller = "demo-seller";
const ticket = "SEC-101";

/** A transaction of the buyer's that a session of theirs can read. */
async function buyersTransaction(escrow: EscrowClient, buyerToken: string): Promise<string> {
  const sellerToken = await escrow.login(seller);
  const listing = await escrow.call(sellerToken, "POST", "/api/v1/listings", {
    title: "drill: an account for the leaked-key drill",
    amount: "5000",
    credentials: { username: "leak@example.com", password: "leak-password" },
  });
  if (listing.status !== 201) throw new Error(`listing: ${JSON.stringify(listing.body)}`);
  const opened = await escrow.call(buyerToken, "POST", "/api/v1/transactions", {
    listingId: listing.body.id,
  });
  if (opened.status !== 201) throw new Error(`transaction: ${JSON.stringify(opened.body)}`);
  return opened.body.id as string;
}

/** Every replica answers `token`'s read of `id` with `status` (and problem `type`). */
async function everyReplica(
  escrow: EscrowClient,
  token: string,
  id: string,
  status: number,
  type?: string,
): Promise<string | false> {
  const answers = await Promise.all(
    escrow
      .replicas()
      .map((url) => escrow.call(token, "GET", `/api/v1/transactions/${id}`, undefined, url)),
  );
  const all = answers.every(
    (answer) =>
      answer.status === status && (type === undefined || String(answer.body?.type).endsWith(type)),
  );
  if (!all)
    throw new Error(
      `answers ${answers.map((answer) => answer.body?.type ?? answer.status).join(", ")}`,
    );
  const named = answers[0]?.body?.control ? `, naming ${answers[0].body.control}` : "";
  return `${answers.length}/${answers.length} replicas answer ${status}${named}`;
}

// biome-ignore lint/suspicious/noExplicitAny: a Kubernetes object.
const revocation = (platform: PlatformClient): Promise<any> =>
  platform.resource(`sessionrevocation/${revocationName}`, namespace);

const lift = (platform: PlatformClient) =>
  platform.kubectl("alice", [
    "delete",
    `sessionrevocation/${revocationName}`,
    "-n",
    namespace,
    "--ignore-not-found",
    "--timeout=60s",
  ]);

/** alice signs out every escrow session issued up to the second after the leak. */
async function revoke(run: DrillRun, issuedBefore: Date): Promise<void> {
  const { platform } = run;
  await platform.apply("alice", {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "SessionRevocation",
    metadata: { name: revocationName, namespace },
    spec: {
      services: ["escrow"],
      issuedBefore: issuedBefore.toISOString(),
      reason: "an escrow session token leaked; sign out every session issued before it",
      ticket,
      requestedBy: "alice",
    },
  });
  run.undo(async () => void (await lift(platform)));
  await run.step(
    "control: alice applied a SessionRevocation with kubectl",
    async () => `sessionrevocation/${revocationName}, issuedBefore ${issuedBefore.toISOString()}`,
  );
  await run.step("revocation enforced on every replica", async () => {
    const control = await revocation(platform);
    const replicas = platform.replicas("escrow").length;
    const enforcement = control?.status?.enforcement;
    return (
      enforcement?.acknowledged === replicas &&
      enforcement?.live === replicas &&
      `${enforcement.summary} replicas`
    );
  });
}

export const leakedKey: PlatformScenario = {
  name: "leaked-key",
  playbook: "seed 003 (ops handbook): Secret / Key Leak",
  summary:
    "an escrow session token leaks: SessionRevocation by on-call, enforced on every replica, leaked token refused, fresh login works, status page, lift",
  async run(run) {
    const { platform } = run;
    const escrow = escrowClient(platform);
    await run.step("platform ready: escrow operational, no revocation", async () => {
      if (await revocation(platform)) throw new Error(`${revocationName} exists: lift it first`);
      return (await escrow.status()) === "operational" && "operational";
    });
    const leaked = await escrow.login(buyer);
    const leakedAtSeconds = Math.floor(Date.now() / 1000);
    const id = await buyersTransaction(escrow, leaked);
    await run.step(`fault: ${buyer}'s session token leaked and works`, () =>
      everyReplica(escrow, leaked, id, 200),
    );
    // Escrow's sessions carry their issue time in whole seconds: the cut-off is the next one.
    const issuedBefore = new Date((leakedAtSeconds + 1) * 1000);
    await revoke(run, issuedBefore);
    await run.step("the leaked session gets 401 auth/session-revoked", () =>
      everyReplica(escrow, leaked, id, 401, "auth/session-revoked"),
    );
    let fresh: string | undefined;
    await run.step(`a fresh login of ${buyer} (password and code) works`, async () => {
      if (Date.now() < issuedBefore.getTime()) return false;
      fresh ??= await escrow.login(buyer);
      return everyReplica(escrow, fresh, id, 200);
    });
    await run.step("status page: escrow releases degraded, customers told to sign in", async () => {
      const summary = (await platform.statusSummary()).body;
      const incident = (summary.incidents as { incident_updates: { body: string }[] }[])[0];
      return (
        (await escrow.status()) === "degraded_performance" &&
        incident !== undefined &&
        `"${incident.incident_updates[0]!.body}"`
      );
    });
    await lift(platform);
    await run.step("lift: alice deleted the revocation", async () => {
      return (await revocation(platform)) === undefined && "deleted";
    });
    await run.step("status page: operational again, incident in history", async () => {
      const history = (await platform.statusIncidents()).body;
      const resolved = (history.incidents as { status: string; name: string }[]).find(
        (incident) => incident.status === "resolved" && incident.name.includes("Escrow"),
      );
      return (await escrow.status()) === "operational" && resolved !== undefined && resolved.name;
    });
    // The fresh session, not another login: a code is good once and this minute's are spent.
    const cancelled = await escrow.call(fresh!, "POST", `/api/v1/transactions/${id}/cancel`);
    await run.step("cleanup: the buyer cancelled the drill's unpaid transaction", async () => {
      return cancelled.status === 200 && "cancelled";
    });
  },
};
