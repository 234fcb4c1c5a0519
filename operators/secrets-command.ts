/**
 * @module `npm run secrets -- rotate <secret>` and `npm run secrets -- finish <secret>`: rotate
 * a Secret the services read (an admin token such as `payments-admin-token`, a webhook secret
 * such as `payments-webhook`) with the old and the new value valid in between (see
 * secret-rotation.ts). Runs against `$KUBECONFIG` in `--namespace` (default
 * `breakwater-services`). Prints what it did, never a value; a refusal is one line and exit 1.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeApi } from "./runtime/kube-api";
import { finishRotation, RotationError, startRotation } from "./secret-rotation";

const usage = "usage: npm run secrets -- rotate|finish <secret> [--namespace <namespace>]";
const namePattern = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

interface Arguments {
  readonly step: "rotate" | "finish";
  readonly name: string;
  readonly namespace: string;
}

function parse(argv: readonly string[]): Arguments | undefined {
  const [step, name, flag, namespace, ...rest] = argv;
  if (step !== "rotate" && step !== "finish") return undefined;
  if (name === undefined || !namePattern.test(name) || rest.length > 0) return undefined;
  if (flag === undefined) return { step, name, namespace: "breakwater-services" };
  if (flag !== "--namespace" || namespace === undefined || !namePattern.test(namespace))
    return undefined;
  return { step, name, namespace };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parse(argv);
  if (!args) {
    console.error(usage);
    return 2;
  }
  try {
    const config = new KubeConfig();
    config.loadFromDefault();
    if (!config.getCurrentCluster())
      throw new RotationError("KUBECONFIG: no current cluster in the kubeconfig");
    const api = createKubeApi(config);
    const where = `${args.namespace}/${args.name}`;
    if (args.step === "rotate") {
      const step = await startRotation(api, args.namespace, args.name);
      console.log(`${where}: a new value is in "next"; both are valid once restarted`);
      console.log(`restarted: ${step.restarted.join(", ") || "none"}`);
      console.log(`when the rollout is done: npm run secrets -- finish ${args.name}`);
    } else {
      const step = await finishRotation(api, args.namespace, args.name);
      console.log(`${where}: "next" is now "${step.key}"; the old value ends with the restart`);
      console.log(`restarted: ${step.restarted.join(", ") || "none"}`);
    }
    return 0;
  } catch (error) {
    console.error((error as Error).message.split("\n")[0]);
    return 1;
  }
}

if (import.meta.main || process.argv[1] === import.meta.filename) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
