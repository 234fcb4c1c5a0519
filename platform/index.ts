/**
 * @module The Pulumi program of breakwater's cluster bootstrap; the stack name is the
 * environment (`pulumi up --stack prod`), and its configuration comes from `environments/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { chartPins } from "./charts";
import { definePlatform } from "./program";
import { readPlatformSettings } from "./settings";

const settings = readPlatformSettings(pulumi.getStack());
const platform = definePlatform(settings);

export const environment = settings.environment.name;
export const namespaces = Object.keys(platform.namespaces.namespaces);
export const charts = Object.fromEntries(
  Object.values(chartPins).map((pin) => [pin.chart, pin.version]),
);
export const rootApplication = platform.rootApplication.application.metadata.name;
/** The backup bucket the program created, or the endpoint of one provided outside it. */
export const backupBucket =
  platform.backupBucket?.bucket.bucket ??
  `provided outside this program: ${settings.environment.objectStore.endpoint}`;
export const backupCredentialsSecret = platform.backupCredentials.secret.metadata.name;
/** `<namespace>/<name>` of every Secret the manifests reference, besides the backup one. */
export const manifestSecrets = Object.keys(platform.manifestSecrets.secrets);
/** The CDN provider the public hostnames point at, or why there is none. */
export const cdnActiveProvider =
  settings.cdn?.provider ?? `none: environment ${settings.environment.name} has no cdn section`;
