/**
 * @module The vendored CRDs are the files `upstream-crds.ts` lists, unedited, each the CRD
 * its name says, and taken from the release that the pinned chart of `charts.ts` ships.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseAllDocuments } from "yaml";
import { chartPins } from "../charts";
import {
  pinMismatches,
  upstreamCrdDirectory,
  upstreamCrdPath,
  upstreamCrds,
} from "./upstream-crds";

/** Git's blob hash of a file's bytes, as `git hash-object` prints it. */
function gitBlobHash(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

test("every YAML file in platform/crds/ is listed once, and every listed file is there", () => {
  const onDisk = readdirSync(upstreamCrdDirectory)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
  const listed = upstreamCrds.map((crd) => crd.file).sort();
  assert.equal(listed, onDisk);
  assert.is(new Set(listed).size, listed.length, "a file is listed twice");
});

test("every file is byte for byte the upstream blob it names", () => {
  for (const crd of upstreamCrds) {
    assert.is(gitBlobHash(readFileSync(upstreamCrdPath(crd.file))), crd.blob, crd.file);
  }
});

test("every file holds exactly the CRD its name says", () => {
  for (const crd of upstreamCrds) {
    const documents = parseAllDocuments(readFileSync(upstreamCrdPath(crd.file), "utf8"))
      .map((document) => document.toJS() as unknown)
      .filter((value) => value !== null) as {
      kind: string;
      metadata: { name: string };
      spec: { group: string; names: { plural: string } };
    }[];
    assert.is(documents.length, 1, crd.file);
    const [definition] = documents;
    assert.is(definition!.kind, "CustomResourceDefinition", crd.file);
    const { group, names } = definition!.spec;
    assert.is(`${group}_${names.plural}.yaml`, crd.file);
    assert.is(definition!.metadata.name, `${names.plural}.${group}`, crd.file);
  }
});

test("every vendored CRD comes from the release its pinned chart ships", () => {
  assert.equal(pinMismatches(upstreamCrds, chartPins), []);
});

test("a pin moved without its CRDs is named with the file that disagrees", () => {
  const moved = {
    ...chartPins,
    cloudNativePg: { ...chartPins.cloudNativePg, version: "0.30.0", appVersion: "1.31.0" },
  };
  const problems = pinMismatches(upstreamCrds, moved);
  assert.ok(problems.length > 0);
  assert.ok(
    problems.includes(
      "postgresql.cnpg.io_clusters.yaml: vendored for cloudNativePg chart 0.29.0, but charts.ts pins 0.30.0",
    ),
    problems.join("\n"),
  );
  assert.ok(
    problems.includes(
      "postgresql.cnpg.io_clusters.yaml: taken from v1.30.0, but cloudNativePg 0.30.0 ships 1.31.0",
    ),
    problems.join("\n"),
  );
  assert.ok(
    problems.every((problem) => problem.includes("cnpg")),
    problems.join("\n"),
  );
});

test("only a file that says how it deviates may differ from its release", () => {
  const deviating = upstreamCrds.filter((crd) => crd.deviation !== undefined);
  assert.equal(
    deviating.map((crd) => crd.file),
    ["cluster.redpanda.com_redpandas.yaml"],
  );
});

test.run();
