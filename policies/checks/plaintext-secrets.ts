/**
 * @module Check: no Secret carries its values in git. Secrets are created by Pulumi from
 * Pulumi secrets (or by operators, like CloudNativePG's) and only referenced by name here.
 */
import { containersOf } from "./containers";
import type { CheckProblem, ManifestCheck } from "./types";

/** Environment variable names that hold credentials. */
const secretLikeName = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS?)$/;

export const plaintextSecrets: ManifestCheck = {
  name: "plaintext-secrets",
  run(manifests) {
    const problems: CheckProblem[] = [];
    for (const { path, object } of manifests) {
      for (const { where, container } of containersOf(object)) {
        const env = Array.isArray(container.env)
          ? (container.env as Record<string, unknown>[])
          : [];
        for (const variable of env) {
          if (typeof variable.value === "string" && secretLikeName.test(String(variable.name))) {
            problems.push({
              check: this.name,
              path,
              message: `${object.kind} ${object.metadata.name}: ${where} sets ${String(variable.name)} as a literal value; use valueFrom.secretKeyRef`,
            });
          }
        }
      }
      if (object.kind !== "Secret") continue;
      const fields = (["data", "stringData"] as const).filter((field) => {
        const value = object[field];
        return value !== undefined && value !== null && Object.keys(value as object).length > 0;
      });
      if (fields.length > 0) {
        problems.push({
          check: this.name,
          path,
          message: `Secret ${object.metadata.name} has ${fields.join(" and ")} in git; create it from Pulumi secrets and reference it by name`,
        });
      }
    }
    return problems;
  },
};
