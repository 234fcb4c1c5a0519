/**
 * @module Pinned container images: one place to bump a version, so every environment runs
 * what was promoted through the ones before it. Never `latest`.
 */
import type { Image } from "./schema";

/**
 * breakwater's own image, tagged by release: one image holds every service and the operator
 * (the repository's `Dockerfile`), and each Deployment's arguments choose the program.
 */
export function breakwaterImage(tag: string): Image {
  return { repository: "ghcr.io/breakwater/breakwater", tag };
}

/** CloudNativePG's PostgreSQL operand image. */
export const postgresImage: Image = {
  repository: "ghcr.io/cloudnative-pg/postgresql",
  tag: "17.5",
};

/** The OT-CONTAINER-KIT Redis images the redis-operator expects. */
export const redisImage: Image = { repository: "quay.io/opstree/redis", tag: "v7.0.15" };
export const redisSentinelImage: Image = {
  repository: "quay.io/opstree/redis-sentinel",
  tag: "v7.0.15",
};
export const redisExporterImage: Image = {
  repository: "quay.io/opstree/redis-exporter",
  tag: "v1.44.0",
};

/** Redpanda broker image. */
export const redpandaImage: Image = {
  repository: "docker.redpanda.com/redpandadata/redpanda",
  tag: "v25.1.9",
};
