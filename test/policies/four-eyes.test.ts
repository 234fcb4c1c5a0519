/**
 * @module Four eyes on a control that requires approval, enforced by a real kube-apiserver
 * with the policies as the operator chart renders them. alice requests, bob approves (both
 * hold the breakwater-approver role), carol is on call without the `approve` verb. Every
 * refusal says what to do instead.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  approvedByAnnotation,
  requiresApprovalAnnotation,
} from "../../operators/reconcilers/approval";
import { approverRoleName, fourEyesPolicyName } from "../../policies/admission/four-eyes";
import type { KubeUser } from "../harness/kube";
import { getJson, kubectlOk, withdrawalHaltYaml } from "../operator/cluster";
import { namespace, renderedPolicies, usePolicyCluster } from "./policy-cluster";

const cluster = usePolicyCluster(test);

/** A WithdrawalHalt that `requestedBy` asks for, with `annotations`. */
function halt(name: string, requestedBy: string, annotations: Record<string, string>): string {
  return withdrawalHaltYaml(name, { requestedBy }).replace(
    `  namespace: ${namespace}\n`,
    `  namespace: ${namespace}\n  annotations: ${JSON.stringify(annotations)}\n`,
  );
}

async function requestApproval(name: string): Promise<void> {
  await kubectlOk(cluster(), ["create", "-f", "-"], {
    user: "alice",
    input: halt(name, "alice", { [requiresApprovalAnnotation]: "true" }),
  });
}

/** `kubectl annotate` as `user`; `value` null removes the annotation. */
function annotate(user: KubeUser, name: string, key: string, value: string | null) {
  const setting = value === null ? `${key}-` : `${key}=${value}`;
  return cluster().kubectl(
    ["annotate", "--overwrite", `withdrawalhalt/${name}`, "-n", namespace, setting],
    { user },
  );
}

async function annotations(name: string): Promise<Record<string, string>> {
  const object = await getJson<{ metadata: { annotations?: Record<string, string> } }>(
    cluster(),
    `withdrawalhalt/${name}`,
  );
  return object.metadata.annotations ?? {};
}

const needsVerb = (user: string) =>
  `approving needs the 'approve' verb on withdrawalhalts in ${namespace}; you are ${user}: ask someone with the ${approverRoleName} role`;

test("the chart renders the four-eyes policy, its Deny binding and the approvers' role", () => {
  const names = renderedPolicies.map((object) => `${object.kind}/${object.metadata.name}`);
  assert.ok(names.includes(`ValidatingAdmissionPolicy/${fourEyesPolicyName}`), names.join());
  assert.ok(names.includes(`ValidatingAdmissionPolicyBinding/${fourEyesPolicyName}`));
  assert.ok(names.includes(`ClusterRole/${approverRoleName}`));
});

test("approving is a verb of its own: the approver role has it, carol does not", async () => {
  const can = async (user: KubeUser) =>
    (
      await cluster().kubectl(["auth", "can-i", "approve", "withdrawalhalts", "-n", namespace], {
        user,
      })
    ).stdout.trim();
  assert.is(await can("bob"), "yes");
  assert.is(await can("carol"), "no");
});

test("carol, without the approve verb, cannot approve and is told whom to ask", async () => {
  await requestApproval("needs-carol");
  const result = await annotate("carol", "needs-carol", approvedByAnnotation, "carol");
  assert.is.not(result.code, 0);
  assert.match(result.stderr, needsVerb("carol"));
  assert.not.ok((await annotations("needs-carol"))[approvedByAnnotation]);
});

test("alice cannot approve her own request, though she holds the verb", async () => {
  await requestApproval("needs-alice");
  const result = await annotate("alice", "needs-alice", approvedByAnnotation, "alice");
  assert.is.not(result.code, 0);
  assert.match(
    result.stderr,
    `alice requested this control and cannot approve it too: ask another person with the ${approverRoleName} role`,
  );
});

test("nobody creates a control already approved by themselves", async () => {
  const result = await cluster().kubectl(["create", "-f", "-"], {
    user: "alice",
    input: halt("pre-approved", "alice", {
      [requiresApprovalAnnotation]: "true",
      [approvedByAnnotation]: "alice",
    }),
  });
  assert.is.not(result.code, 0);
  assert.match(result.stderr, "alice requested this control and cannot approve it too");
});

test("the approver recorded is the one approving: bob cannot approve in carol's name", async () => {
  await requestApproval("needs-bob");
  const result = await annotate("bob", "needs-bob", approvedByAnnotation, "carol");
  assert.is.not(result.code, 0);
  assert.match(
    result.stderr,
    `${approvedByAnnotation} must name the approving user: you are bob, the annotation says carol; annotate it with your own name`,
  );
});

test("bob approves alice's request as himself", async () => {
  const result = await annotate("bob", "needs-bob", approvedByAnnotation, "bob");
  assert.is(result.code, 0, result.stderr);
  assert.is((await annotations("needs-bob"))[approvedByAnnotation], "bob");
});

test("an approval cannot be changed or withdrawn once given, by anyone", async () => {
  for (const [user, value] of [
    ["bob", null],
    ["alice", "alice"],
    ["carol", null],
  ] as const) {
    const result = await annotate(user, "needs-bob", approvedByAnnotation, value);
    assert.is.not(result.code, 0, user);
    assert.match(
      result.stderr,
      "this control was approved by bob and an approval cannot be changed or withdrawn: delete the control to lift it",
    );
  }
  assert.is((await annotations("needs-bob"))[approvedByAnnotation], "bob");
});

test("requires-approval cannot be removed, by the requester or anyone else", async () => {
  for (const user of ["alice", "carol", "bob"] as const) {
    for (const value of [null, "false"]) {
      const result = await annotate(user, "needs-carol", requiresApprovalAnnotation, value);
      assert.is.not(result.code, 0, `${user} ${value}`);
      assert.match(
        result.stderr,
        `${requiresApprovalAnnotation} cannot be removed from a control that requires approval: ask someone with the ${approverRoleName} role to approve it`,
      );
    }
  }
  assert.is((await annotations("needs-carol"))[requiresApprovalAnnotation], "true");
  // Once approved it still stays: the record says approval was required.
  const approved = await annotate("bob", "needs-bob", requiresApprovalAnnotation, null);
  assert.match(approved.stderr, "cannot be removed");
});

test("other edits of a control awaiting approval go through, and deleting withdraws it", async () => {
  const reason = "ledger imbalance on BTC and ETH, payouts unsafe";
  const edited = await cluster().kubectl(
    [
      ...["patch", "withdrawalhalt/needs-alice", "-n", namespace, "--type=merge"],
      ...["-p", JSON.stringify({ spec: { reason } })],
    ],
    { user: "carol" },
  );
  assert.is(edited.code, 0, edited.stderr);
  const deleted = await cluster().kubectl(
    ["delete", "withdrawalhalt/needs-alice", "-n", namespace, "--wait=false"],
    { user: "alice" },
  );
  assert.is(deleted.code, 0, deleted.stderr);
});

test.run();
