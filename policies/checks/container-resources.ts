/**
 * @module Check: every container requests and limits CPU and memory, so one pod can neither
 * starve its neighbours nor be evicted first under pressure.
 */
import { containersOf } from "./containers";
import type { CheckProblem, ManifestCheck } from "./types";

const required = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

export const containerResources: ManifestCheck = {
  name: "container-resources",
  run(manifests) {
    const problems: CheckProblem[] = [];
    for (const { path, object } of manifests) {
      for (const { where, container } of containersOf(object)) {
        const resources = (container.resources ?? {}) as Record<string, Record<string, unknown>>;
        const missing = required.filter((field) => {
          const [group, name] = field.split(".") as [string, string];
          return resources[group]?.[name] === undefined;
        });
        if (missing.length > 0) {
          problems.push({
            check: this.name,
            path,
            message: `${object.kind} ${object.metadata.name}: ${where} (${String(container.name)}) has no resources.${missing.join(", resources.")}`,
          });
        }
      }
    }
    return problems;
  },
};
