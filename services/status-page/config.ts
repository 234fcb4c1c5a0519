/** @module The status page's own settings, added to the kit's common ones. */
import { existsSync } from "node:fs";
import { z } from "zod";
import { capabilities } from "./capabilities";

const itemList = (defaultItems: string) =>
  z
    .string()
    .default(defaultItems)
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    )
    .pipe(
      z
        .array(
          z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, "expected a comma-separated list of names"),
        )
        .min(1),
    );

/** The STATUS_KUBECONFIG value that reads the controls as the pod's ServiceAccount. */
export const inCluster = "in-cluster";

/** Environment variables read by the status page (beside PORT, DATABASE_URL, ... from the kit). */
export const statusPageConfigSchema = z.object({
  /**
   * A kubeconfig allowed to list the control resources (read-only is enough), or `in-cluster`
   * for the pod's ServiceAccount (the charts bind it to controls-reader-role.ts).
   */
  STATUS_KUBECONFIG: z
    .string()
    .min(1, "expected the path of a kubeconfig or in-cluster")
    .refine(
      (value) => value === inCluster || existsSync(value),
      `expected the path of a kubeconfig file that exists, or ${inCluster}`,
    ),
  /** How often every replica reads the controls in force. */
  STATUS_REFRESH_MS: z.coerce.number().int().positive().default(5_000),
  /** The page's name. */
  STATUS_PAGE_TITLE: z.string().min(1).max(100).default("breakwater status"),
  /** The page's public URL, in the feed. */
  STATUS_PAGE_URL: z.url().default("http://127.0.0.1/"),
  ...Object.fromEntries(
    capabilities.map((capability) => [capability.itemsVariable, itemList(capability.defaultItems)]),
  ),
});

export type StatusPageConfig = z.infer<typeof statusPageConfigSchema> & Record<string, string[]>;
