/**
 * @module The Pulumi project and stack files: one stack per environment, aimed at that
 * environment's cluster, and no secret value in plain text (only `secure:` ciphertext).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { environmentNames, loadEnvironment } from "../environments";
import { projectName, requiredSecretConfigKeysFor, secretConfigKeysOf } from "./settings";

const directory = import.meta.dirname;

function stackConfig(environmentName: string): Record<string, unknown> {
  const path = join(directory, `Pulumi.${environmentName}.yaml`);
  assert.ok(existsSync(path), `missing ${path}`);
  const document = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> };
  return document.config ?? {};
}

interface Project {
  name: string;
  main: string;
  config: Record<string, { secret?: boolean }>;
}

const project = parse(readFileSync(join(directory, "Pulumi.yaml"), "utf8")) as Project;

test("the project is named as the program reads its config", () => {
  assert.is(project.name, projectName);
  assert.ok(existsSync(join(directory, project.main)), `main ${project.main} does not exist`);
});

test("Pulumi.yaml declares secret exactly the keys every environment needs", () => {
  // A declared key without a default is required by the CLI in every stack, so declaring one
  // that some environment does not need would stop that stack for nothing.
  const perEnvironment = environmentNames.map((name) =>
    requiredSecretConfigKeysFor(loadEnvironment(name)),
  );
  const everywhere = perEnvironment[0]!.filter((key) =>
    perEnvironment.every((keys) => keys.includes(key)),
  );
  assert.equal(Object.keys(project.config).sort(), everywhere.sort());
  for (const key of everywhere) {
    assert.is(project.config[key]?.secret, true, `${key} is not declared secret`);
  }
});

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);

  test(`${environmentName}: the stack file holds no secret in plain text`, () => {
    const config = stackConfig(environmentName);
    for (const key of secretConfigKeysOf(environment)) {
      const value = config[`${projectName}:${key}`];
      if (value === undefined) continue;
      assert.type(value, "object", `${key} is plain text in Pulumi.${environmentName}.yaml`);
      assert.type((value as { secure?: unknown }).secure, "string", `${key} is not secure`);
    }
  });

  test(`${environmentName}: the stack targets its own cluster and repository`, () => {
    const config = stackConfig(environmentName);
    assert.is(config["kubernetes:context"], environment.cluster.name);
    assert.is(config[`${projectName}:repoUrl`], environment.gitops.repoURL);
  });
}

test.run();
