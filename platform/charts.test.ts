/**
 * @module Chart pins are exact versions, and the README's table says what `charts.ts` pins.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chartPins, isExactVersion } from "./charts";

test("exact versions are accepted, ranges and tags are not", () => {
  for (const version of ["0.29.0", "v1.21.1", "26.2.1-beta.2"]) {
    assert.ok(isExactVersion(version), version);
  }
  for (const version of ["^0.29.0", "~1.2.3", "0.29.x", ">=1.0.0", "1.2", "latest", "", "*"]) {
    assert.not.ok(isExactVersion(version), version);
  }
});

test("every chart is pinned to an exact version", () => {
  for (const [name, pin] of Object.entries(chartPins)) {
    assert.ok(isExactVersion(pin.version), `${name}: ${pin.version}`);
    assert.match(pin.repository, /^https:\/\//, `${name}: repository must be https`);
  }
});

test("the README's table lists each chart with its pinned and app versions", () => {
  const readme = readFileSync(join(import.meta.dirname, "README.md"), "utf8");
  const rows = readme
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split("|").map((cell) => cell.trim()));
  for (const pin of Object.values(chartPins)) {
    const row = rows.find((cells) => cells.includes(`\`${pin.chart}\``));
    assert.ok(row, `README has no row for ${pin.chart}`);
    assert.ok(row.includes(pin.version), `README row of ${pin.chart} lacks ${pin.version}`);
    assert.ok(row.includes(pin.repository), `README row of ${pin.chart} lacks its repository`);
    assert.ok(
      row.join("|").includes(pin.appVersion),
      `README row of ${pin.chart} lacks ${pin.appVersion}`,
    );
  }
});

test("the CRD versions we validate against are the ones the charts ship", () => {
  assert.is(chartPins.cloudNativePg.appVersion, "1.30.0");
  assert.is(chartPins.barmanCloudPlugin.appVersion, "v0.14.0");
  assert.match(chartPins.redpandaOperator.appVersion, /^v26\.2\./);
  assert.is(chartPins.kubePrometheusStack.appVersion, "v0.93.0");
  // RedisReplication and RedisSentinel in crds/ are redis-operator v0.26.0's.
  assert.is(chartPins.redisOperator.appVersion, "0.26.0");
  assert.is(chartPins.argoCd.appVersion, "v3.5.1");
});

test.run();
