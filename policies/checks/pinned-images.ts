/**
 * @module Check: every image is pinned — a tag that is not `latest`, or a digest — in
 * workloads and in the operator-managed resources that name an image (CloudNativePG
 * `imageName`, Redis `kubernetesConfig.image`, Redpanda `clusterSpec.image`).
 */
import { containersOf, dig } from "./containers";
import type { CheckProblem, ManifestCheck, ManifestObject } from "./types";

/** Why an image reference is not pinned, or undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon === -1) return "has no tag";
  const tag = lastSegment.slice(colon + 1);
  if (tag === "") return "has an empty tag";
  if (tag === "latest") return "uses the `latest` tag";
  return undefined;
}

/** Images named outside pod templates, by kind. */
function customImages(object: ManifestObject): { where: string; image: string }[] {
  const found: { where: string; image: string }[] = [];
  const add = (where: string, image: unknown) => {
    if (typeof image === "string") found.push({ where, image });
  };
  if (object.kind === "Cluster") add("spec.imageName", dig(object, "spec", "imageName"));
  if (object.kind === "RedisReplication" || object.kind === "RedisSentinel") {
    add("spec.kubernetesConfig.image", dig(object, "spec", "kubernetesConfig", "image"));
    add("spec.redisExporter.image", dig(object, "spec", "redisExporter", "image"));
  }
  if (object.kind === "Redpanda") {
    const repository = dig(object, "spec", "clusterSpec", "image", "repository");
    const tag = dig(object, "spec", "clusterSpec", "image", "tag") ?? "";
    if (repository) add("spec.clusterSpec.image", `${String(repository)}:${String(tag)}`);
  }
  return found;
}

export const pinnedImages: ManifestCheck = {
  name: "pinned-images",
  run(manifests) {
    const problems: CheckProblem[] = [];
    for (const { path, object } of manifests) {
      const images = [
        ...containersOf(object).map(({ where, container }) => ({
          where: `${where}.image`,
          image: container.image,
        })),
        ...customImages(object),
      ];
      for (const { where, image } of images) {
        const reason = typeof image === "string" ? unpinnedReason(image) : "has no image";
        if (reason) {
          problems.push({
            check: this.name,
            path,
            message:
              `${object.kind} ${object.metadata.name}: ${where} ${String(image ?? "")} ${reason}`.replace(
                "  ",
                " ",
              ),
          });
        }
      }
    }
    return problems;
  },
};
