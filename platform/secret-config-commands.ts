/**
 * @module Prints the `pulumi config set --secret` command of every secret key one stack needs,
 * so an operator setting up an environment sets exactly those keys, each encrypted:
 * `npx tsx platform/secret-config-commands.ts prod`.
 */
import { loadEnvironment } from "../environments";
import { secretConfigKeysFor } from "./secret-plan";
import { objectStoreSecretConfigKeys } from "./settings";

/**
 * One commented command per key, throwing for an unknown stack. The object-store keys come
 * from the provider (`<value>` to fill in); the other credentials are generated and piped, so
 * they never reach the shell history (hex: no `:` for users.txt, nothing to URL-encode).
 */
export function secretConfigCommands(stack: string): string[] {
  const environment = loadEnvironment(stack);
  const provided = objectStoreSecretConfigKeys.map(
    (key) =>
      `# object-store key for PostgreSQL backups, from the provider\n` +
      `pulumi config set --secret ${key} '<value>' --stack ${stack}`,
  );
  const generated = secretConfigKeysFor(environment).map(
    ({ key, description }) =>
      `# ${description}\n` +
      `openssl rand -hex 24 | tr -d '\\n' | pulumi config set --secret ${key} --stack ${stack}`,
  );
  return [...provided, ...generated];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stack = process.argv[2];
  try {
    if (!stack) throw new Error("usage: secret-config-commands.ts <dev|staging|prod>");
    console.log(secretConfigCommands(stack).join("\n"));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
