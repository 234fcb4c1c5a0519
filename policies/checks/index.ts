/**
 * @module The checks `npm run synth` runs over every rendered environment before anything is
 * written: PITR on every production database, no plaintext secrets, pinned images, and
 * resources on every container.
 */
import type { EnvironmentName } from "../../environments";
import { containerResources } from "./container-resources";
import { pinnedImages } from "./pinned-images";
import { pointInTimeRecovery } from "./pitr";
import { plaintextSecrets } from "./plaintext-secrets";
import type { CheckedManifest, CheckProblem, ManifestCheck } from "./types";

export type { CheckedManifest, CheckProblem, ManifestCheck, ManifestObject } from "./types";
export { formatProblem } from "./types";

export const manifestChecks: readonly ManifestCheck[] = [
  pointInTimeRecovery,
  plaintextSecrets,
  pinnedImages,
  containerResources,
];

/** Every problem the checks find in one environment's manifests. */
export function runManifestChecks(
  environment: EnvironmentName,
  manifests: readonly CheckedManifest[],
  checks: readonly ManifestCheck[] = manifestChecks,
): CheckProblem[] {
  return checks
    .filter((check) => !check.environments || check.environments.includes(environment))
    .flatMap((check) => check.run(manifests));
}
