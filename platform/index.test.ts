/**
 * @module The Pulumi entry point as `pulumi up --stack staging` runs it: config (secrets
 * included) set before the program is imported, stack outputs read back from its exports.
 */
import * as pulumi from "@pulumi/pulumi";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chartPins } from "./charts";
import { projectName } from "./settings";
import { testSecrets } from "./testing/mock-stack";

function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

test("the staging stack exports its environment, namespaces, charts and root application", async () => {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(testSecrets).map(([key, value]) => [`${projectName}:${key}`, value]),
    ),
    Object.keys(testSecrets).map((key) => `${projectName}:${key}`),
  );
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    projectName,
    "staging",
  );
  const program = await import("./index");
  assert.is(program.environment, "staging");
  assert.ok(program.namespaces.includes("data-plane"));
  assert.ok(program.namespaces.includes("cnpg-system"));
  assert.is(program.charts["plugin-barman-cloud"], chartPins.barmanCloudPlugin.version);
  assert.is(await outputValue(program.rootApplication), "breakwater");
  assert.is(await outputValue(program.backupCredentialsSecret), "backup-object-store");
  assert.ok(program.manifestSecrets.includes("breakwater-services/payments-admin-token"));
  assert.ok(program.manifestSecrets.includes("data-plane/redis-password"));
});

test.run();
