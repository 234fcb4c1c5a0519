/**
 * @module The environment variables a rendered Deployment's container gets, and where each
 * comes from (a literal, a ConfigMap key through `envFrom` or `configMapKeyRef`, a Secret key,
 * a pod field), read back from the rendered objects the way the kubelet would assemble them.
 */

/** Where one variable's value comes from. */
export type VariableSource =
  | { readonly from: "value"; readonly value: string }
  | {
      readonly from: "configMap";
      readonly name: string;
      readonly key: string;
      readonly value: string;
    }
  | { readonly from: "secret"; readonly name: string; readonly key: string }
  | { readonly from: "field"; readonly fieldPath: string };

/** A rendered Kubernetes object, as far as this module reads it. */
export interface RenderedObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: unknown;
}

interface Container {
  readonly name: string;
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly EnvFrom[];
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
    readonly fieldRef?: { readonly fieldPath: string };
  };
}

interface EnvFrom {
  readonly prefix?: string;
  readonly configMapRef?: { readonly name: string };
  readonly secretRef?: { readonly name: string };
}

interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly {
    readonly name: string;
    readonly configMap?: {
      readonly name: string;
      readonly items?: readonly { readonly key: string; readonly path: string }[];
    };
  }[];
}

/** The Deployment `name` in `namespace`, or an error naming what is missing. */
export function findDeployment(
  objects: readonly RenderedObject[],
  namespace: string,
  name: string,
): { readonly pod: PodSpec; readonly container: Container } {
  const deployment = objects.find(
    (object) =>
      object.kind === "Deployment" &&
      object.metadata.namespace === namespace &&
      object.metadata.name === name,
  );
  if (!deployment) throw new Error(`no Deployment ${namespace}/${name} rendered`);
  const pod = (deployment.spec as { template: { spec: PodSpec } }).template.spec;
  if (pod.containers.length !== 1) {
    throw new Error(`Deployment ${namespace}/${name}: expected one container`);
  }
  return { pod, container: pod.containers[0]! };
}

function configMap(objects: readonly RenderedObject[], namespace: string, name: string) {
  const found = objects.find(
    (object) =>
      object.kind === "ConfigMap" &&
      object.metadata.namespace === namespace &&
      object.metadata.name === name,
  );
  if (!found) throw new Error(`ConfigMap ${namespace}/${name} is referenced but not rendered`);
  return found.data ?? {};
}

function fromEnvFrom(
  objects: readonly RenderedObject[],
  namespace: string,
  source: EnvFrom,
): [string, VariableSource][] {
  if (source.secretRef) {
    // Which variables a whole Secret sets is unknowable from the manifests: refuse it.
    throw new Error(`envFrom secretRef ${source.secretRef.name}: use secretKeyRef per variable`);
  }
  const name = source.configMapRef!.name;
  return Object.entries(configMap(objects, namespace, name)).map(([key, value]) => [
    `${source.prefix ?? ""}${key}`,
    { from: "configMap", name, key, value },
  ]);
}

function fromEnv(
  objects: readonly RenderedObject[],
  namespace: string,
  variable: EnvVar,
): VariableSource {
  const from = variable.valueFrom;
  if (from?.secretKeyRef) return { from: "secret", ...from.secretKeyRef };
  if (from?.fieldRef) return { from: "field", fieldPath: from.fieldRef.fieldPath };
  if (from?.configMapKeyRef) {
    const { name, key } = from.configMapKeyRef;
    const value = configMap(objects, namespace, name)[key];
    if (value === undefined) throw new Error(`ConfigMap ${namespace}/${name} has no key ${key}`);
    return { from: "configMap", name, key, value };
  }
  return { from: "value", value: variable.value ?? "" };
}

/**
 * Every variable the container of Deployment `namespace/name` gets. As in Kubernetes, `env`
 * overrides `envFrom`, and a later `envFrom` source overrides an earlier one.
 */
export function containerEnvironment(
  objects: readonly RenderedObject[],
  namespace: string,
  name: string,
): Map<string, VariableSource> {
  const { container } = findDeployment(objects, namespace, name);
  const variables = new Map<string, VariableSource>();
  for (const source of container.envFrom ?? []) {
    for (const [variable, value] of fromEnvFrom(objects, namespace, source)) {
      variables.set(variable, value);
    }
  }
  for (const variable of container.env ?? []) {
    variables.set(variable.name, fromEnv(objects, namespace, variable));
  }
  return variables;
}

/**
 * The content of the file at `path` in the container of Deployment `namespace/name`, when a
 * ConfigMap volume puts it there; `undefined` when nothing mounted does.
 */
export function mountedConfigMapFile(
  objects: readonly RenderedObject[],
  namespace: string,
  name: string,
  path: string,
): string | undefined {
  const { pod, container } = findDeployment(objects, namespace, name);
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
    if (!volume?.configMap || !path.startsWith(`${mount.mountPath}/`)) continue;
    const relative = path.slice(mount.mountPath.length + 1);
    const items = volume.configMap.items;
    const key = items ? items.find((item) => item.path === relative)?.key : relative;
    if (key === undefined) continue;
    const value = configMap(objects, namespace, volume.configMap.name)[key];
    if (value !== undefined) return value;
  }
  return undefined;
}
