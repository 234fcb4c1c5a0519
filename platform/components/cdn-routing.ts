/**
 * @module The DNS records that send the public hostnames to the CDN provider in use: one
 * Route 53 CNAME per hostname. Switching providers updates each record in place (no delete and
 * re-create, so the names never stop resolving); clients follow within the record's TTL.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CdnRoutingPlan } from "../cdn-routing-plan";
import { childOptions } from "./child-options";

export class CdnRouting extends pulumi.ComponentResource {
  readonly provider: aws.Provider;
  /** By hostname. */
  readonly records: Readonly<Record<string, aws.route53.Record>>;

  constructor(name: string, args: CdnRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:CdnRouting", name, {}, opts);
    const plan = args.plan;
    // Route 53 is global; the provider's region only decides where its API calls go.
    this.provider = new aws.Provider(name, { region: args.region }, childOptions(this, opts));
    const options = { ...childOptions(this, opts), provider: this.provider };
    const records: Record<string, aws.route53.Record> = {};
    for (const hostname of plan.hostnames) {
      records[hostname] = new aws.route53.Record(
        `${name}-${hostname}`,
        {
          zoneId: plan.zoneId,
          name: hostname,
          type: "CNAME",
          ttl: plan.ttlSeconds,
          records: [plan.target],
        },
        options,
      );
    }
    this.records = records;
    this.registerOutputs({ provider: plan.provider, target: plan.target });
  }
}

export interface CdnRoutingArgs {
  /** From `planCdnRouting(environment, cdnActiveProvider)`. */
  readonly plan: CdnRoutingPlan;
  readonly region: string;
}
