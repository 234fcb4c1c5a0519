/**
 * @module The setup commands name every secret key a stack needs, each set with `--secret`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { secretConfigCommands } from "./secret-config-commands";
import { requiredSecretConfigKeysFor } from "./settings";

for (const environmentName of environmentNames) {
  test(`${environmentName}: one encrypted set command per required secret key`, () => {
    const commands = secretConfigCommands(environmentName)
      .flatMap((block) => block.split("\n"))
      .filter((line) => !line.startsWith("#"));
    const keys = commands.map((line) => line.match(/--secret (\S+)/)?.[1]);
    const required = requiredSecretConfigKeysFor(loadEnvironment(environmentName));
    assert.equal([...keys].sort(), required);
    for (const line of commands) assert.match(line, `--stack ${environmentName}`);
  });
}

test("an unknown stack is refused, naming the environments", () => {
  assert.throws(() => secretConfigCommands("qa"), /expected one of dev, staging, prod/);
});

test.run();
