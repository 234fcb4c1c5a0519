/**
 * @module The CDN switch of the ops handbook ("switch traffic to backup provider"): the public
 * hostnames are CNAMEs to the primary provider until the stack's `cdnActiveProvider` names
 * another, and a wrong value stops the program before anything changes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { environmentSchema } from "../environments/schema";
import { named, ofType, runPlatformStack } from "./testing/mock-stack";

const recordType = "aws:route53/record:Record";

for (const environmentName of ["staging", "prod"] as const) {
  const cdn = loadEnvironment(environmentName).cdn!;

  test(`${environmentName}: every public hostname points at the primary provider by default`, async () => {
    const run = await runPlatformStack(environmentName);
    const records = ofType(run, recordType);
    assert.equal(records.map((record) => record.inputs.name).sort(), [...cdn.hostnames].sort());
    for (const record of records) {
      assert.is(record.inputs.type, "CNAME");
      assert.is(record.inputs.zoneId, cdn.zoneId);
      assert.is(record.inputs.ttl, cdn.ttlSeconds);
      assert.equal(record.inputs.records, [cdn.providers[cdn.primary]!.target]);
    }
    assert.is(run.platform.cdnRouting?.records[cdn.hostnames[0]!] !== undefined, true);
  });

  test(`${environmentName}: cdnActiveProvider moves every hostname to the backup provider`, async () => {
    const backup = Object.keys(cdn.providers).find((name) => name !== cdn.primary)!;
    const run = await runPlatformStack(environmentName, { cdnActiveProvider: backup });
    const records = ofType(run, recordType);
    assert.is(records.length, cdn.hostnames.length);
    for (const record of records) {
      assert.equal(record.inputs.records, [cdn.providers[backup]!.target], String(record.name));
    }
    // Same resource names either way: the switch updates the records in place.
    const primaryRun = await runPlatformStack(environmentName);
    assert.equal(
      records.map((record) => record.urn).sort(),
      ofType(primaryRun, recordType)
        .map((record) => record.urn)
        .sort(),
    );
    // The switch does not wait on the cluster: nothing of Argo CD or the operators gates it.
    const component = named(run, "breakwater:platform:CdnRouting", "cdn");
    assert.equal(component.dependencyUrns, []);
  });
}

test("an unknown provider stops the program naming the key and the choices", async () => {
  try {
    await runPlatformStack("prod", { cdnActiveProvider: "akamai" });
    assert.unreachable("the program ran with an unknown CDN provider");
  } catch (error) {
    assert.is(
      (error as Error).message,
      'breakwater-platform:cdnActiveProvider: expected one of cloudfront, fastly, got "akamai"',
    );
  }
});

test("dev has no CDN: no records, and a cdnActiveProvider there is refused", async () => {
  const run = await runPlatformStack("dev");
  assert.equal(ofType(run, recordType), []);
  assert.is(run.platform.cdnRouting, undefined);
  try {
    await runPlatformStack("dev", { cdnActiveProvider: "fastly" });
    assert.unreachable("dev accepted a CDN provider it does not have");
  } catch (error) {
    assert.match(
      (error as Error).message,
      /^breakwater-platform:cdnActiveProvider: environment dev has no cdn section/,
    );
  }
});

test("the environment schema refuses a CDN with one provider or an unknown primary", () => {
  const prod = loadEnvironment("prod");
  const single = environmentSchema.safeParse({
    ...prod,
    cdn: { ...prod.cdn!, providers: { cloudfront: prod.cdn!.providers.cloudfront! } },
  });
  assert.is(single.success, false);
  assert.equal(
    single.error?.issues.map((issue) => issue.path.join(".")),
    ["cdn.providers"],
  );
  const unknown = environmentSchema.safeParse({
    ...prod,
    cdn: { ...prod.cdn!, primary: "akamai" },
  });
  assert.equal(
    unknown.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    ["cdn.primary: expected one of the providers (cloudfront, fastly)"],
  );
});

test.run();
