/** @module Shape checks a reviewer would otherwise do by eye on the generated CRDs. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crdManifests } from "./index";

type Schema = Record<string, unknown>;

function undocumented(schema: Schema, path: string, found: string[]): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [name, child] of Object.entries(properties)) {
    const childPath = `${path}.${name}`;
    if (name !== "metadata" && typeof child.description !== "string") found.push(childPath);
    undocumented(child, childPath, found);
  }
  if (schema.items) undocumented(schema.items as Schema, `${path}[]`, found);
}

const crds = crdManifests() as unknown as {
  metadata: { name: string };
  spec: { names: { categories: string[]; shortNames: string[] }; versions: Schema[] };
}[];

test("every field of every control kind has a description for kubectl explain", () => {
  for (const crd of crds) {
    const found: string[] = [];
    const version = crd.spec.versions[0]!;
    undocumented((version.schema as Schema).openAPIV3Schema as Schema, crd.metadata.name, found);
    assert.equal(found, [], `${crd.metadata.name} has fields without a description`);
  }
});

test("every kind is in the controls category, has short names and a status subresource", () => {
  for (const crd of crds) {
    assert.ok(crd.spec.names.categories.includes("controls"), crd.metadata.name);
    assert.ok(crd.spec.names.shortNames.length > 0, crd.metadata.name);
    assert.equal(crd.spec.versions[0]!.subresources, { status: {} });
  }
});

test.run();
