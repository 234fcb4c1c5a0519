/**
 * @module Names and ports every chart agrees on, so a Service, the NetworkPolicy that lets
 * traffic reach it and the Secret Pulumi creates for it never drift apart.
 */
import type { DatabaseName, Environment, ServiceName } from "../environments";

/** The HTTP port every Hono service listens on (`PORT`), also serving `/metrics`. */
export const servicePort = 8080;
export const postgresPort = 5432;
export const redisPort = 6379;
export const redisSentinelPort = 26379;
/** Redpanda's in-cluster Kafka API listener. */
export const kafkaPort = 9093;

/** The CNPG plugin that archives WAL and takes base backups to object storage. */
export const barmanCloudPlugin = "barman-cloud.cloudnative-pg.io";

/** The CloudNativePG Cluster of a domain, e.g. `payments-db`. */
export function databaseClusterName(domain: DatabaseName): string {
  return `${domain}-db`;
}

/** The barman ObjectStore of a database cluster. */
export function objectStoreName(clusterName: string): string {
  return `${clusterName}-backups`;
}

/**
 * Secrets breakwater only ever names; Pulumi creates them from Pulumi secrets (see
 * charts/README.md), so no credential is ever in git.
 */
export const secretNames = {
  /** basic-auth (username, password) of a database's owner, in the data namespace. */
  databaseOwner: (domain: DatabaseName) => `${domain}-db-owner`,
  /** `uri` key: the service's DATABASE_URL, in the services namespace. */
  databaseUrl: (service: ServiceName) => `${service}-database`,
  /** `token` key: the service's ADMIN_TOKEN, read by the service and the operator. */
  adminToken: (service: ServiceName) => `${service}-admin-token`,
  /** `password` key: the service's Kafka SASL password. */
  kafkaUser: (service: ServiceName) => `${service}-kafka-user`,
  /** Redpanda's SASL users file (`users.txt`), in the data namespace. */
  redpandaUsers: "redpanda-users",
  /** `password` key: Redis AUTH password, in the data namespace. */
  redisPassword: "redis-password",
  /** `url` key: `redis://:<password>@redis-master.<data>:6379`, in the services namespace. */
  redisUrl: "redis-url",
} as const;

export const redisName = "redis";
export const redpandaName = "redpanda";

/** In-cluster DNS name of a Service. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** Where a service's Kafka clients connect. */
export function kafkaBrokers(environment: Environment): string {
  return `${serviceHost(redpandaName, environment.namespaces.data.name)}:${kafkaPort}`;
}

/** The image reference, with the digest when one is pinned. */
export function imageReference(image: {
  repository: string;
  tag: string;
  digest?: string | undefined;
}): string {
  return image.digest
    ? `${image.repository}:${image.tag}@${image.digest}`
    : `${image.repository}:${image.tag}`;
}
