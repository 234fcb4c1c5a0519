/**
 * @module The root application and `npm run synth` agree on where the Argo CD app is: the
 * folder the root application includes is the one the charts render the AppProject and the
 * ApplicationSet into, and that ApplicationSet lives where the root application deploys.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseAllDocuments } from "yaml";
import { argoCdAppName } from "../charts/apps";
import { environmentNames, loadEnvironment } from "../environments";
import { gitopsAppFolder } from "./components/root-application";

const renderedDirectory = join(import.meta.dirname, "..", "rendered");

test("the root application includes the folder the charts render the Argo CD app into", () => {
  assert.is(gitopsAppFolder, argoCdAppName);
});

for (const environmentName of environmentNames) {
  test(`${environmentName}: rendered/${environmentName}/${gitopsAppFolder}/ holds the ApplicationSet`, () => {
    const folder = join(renderedDirectory, environmentName, gitopsAppFolder);
    assert.ok(existsSync(folder), `${folder} does not exist: run npm run synth`);
    const objects = readdirSync(folder)
      .filter((file) => file.endsWith(".yaml"))
      .flatMap((file) => parseAllDocuments(readFileSync(join(folder, file), "utf8")))
      .map((document) => document.toJS() as { kind: string; metadata: { namespace?: string } });
    const applicationSets = objects.filter((object) => object.kind === "ApplicationSet");
    assert.is(applicationSets.length, 1);
    const gitopsNamespace = loadEnvironment(environmentName).namespaces.gitops.name;
    assert.is(applicationSets[0]?.metadata.namespace, gitopsNamespace);
    assert.ok(objects.some((object) => object.kind === "AppProject"));
  });
}

test.run();
