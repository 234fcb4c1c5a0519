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
import { projectName, requiredSecretConfigKeys, secretConfigKeys } from "./settings";

const directory = import.meta.dirname;

function stackConfig(environmentName: string): Record<string, unknown> {
  const path = join(directory, `Pulumi.${environmentName}.yaml`);
  assert.ok(existsSync(path), `missing ${path}`);
  const document = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> };
  return document.config ?? {};
}

test("the project is named as the program reads its config", () => {
  const project = parse(readFileSync(join(directory, "Pulumi.yaml"), "utf8")) as {
    name: string;
    main: string;
    config: Record<string, { secret?: boolean }>;
  };
  assert.is(project.name, projectName);
  assert.ok(existsSync(join(directory, project.main)), `main ${project.main} does not exist`);
  for (const key of requiredSecretConfigKeys) {
    assert.is(project.config[key]?.secret, true, `${key} is not declared secret`);
  }
});

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);

  test(`${environmentName}: the stack file holds no secret in plain text`, () => {
    const config = stackConfig(environmentName);
    for (const key of secretConfigKeys) {
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
