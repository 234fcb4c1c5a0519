/**
 * @module The pipeline as code, checked by actionlint (built by the harness from the Go module
 * proxy): every workflow under .github/workflows/ passes; a broken one is refused, so the
 * check is real; pull requests run the same checks as a developer (migration linter, stale
 * rendered/ check, tests); a tag builds the image and opens the promotion pull request.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { ensureKubeBinaries, kubeBinaryPath } from "../harness/kube";
import { makeTempDir } from "../harness/process";

const root = join(import.meta.dirname, "..", "..");
const workflowsDir = join(root, ".github", "workflows");
const workflows = readdirSync(workflowsDir).filter((name) => name.endsWith(".yml"));

// biome-ignore lint/suspicious/noExplicitAny: workflow YAML of many shapes, read by path.
function workflow(name: string): any {
  return parse(readFileSync(join(workflowsDir, name), "utf8"));
}

function actionlint(args: string[]) {
  return spawnSync(kubeBinaryPath("actionlint"), ["-no-color", ...args], {
    cwd: root,
    encoding: "utf8",
  });
}

test.before(async () => {
  await ensureKubeBinaries();
});

test("actionlint passes every workflow", () => {
  assert.equal(workflows.sort(), ["ci.yml", "promote.yml", "release.yml"]);
  const result = actionlint(workflows.map((name) => join(workflowsDir, name)));
  assert.is(result.status, 0, result.stdout + result.stderr);
});

test("actionlint refuses a broken workflow, naming the line", () => {
  const dir = makeTempDir("actionlint");
  const broken = join(dir, "broken.yml");
  writeFileSync(
    broken,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expressions, not JS templates.
    "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n",
  );
  const result = actionlint([broken]);
  assert.is(result.status, 1);
  assert.match(result.stdout, /broken\.yml:6:\d+: .*nope/);
});

test("pull requests run the developer's checks", () => {
  const ci = workflow("ci.yml");
  assert.ok("pull_request" in ci.on);
  const runs = ci.jobs.test.steps.map((step: { run?: string }) => step.run ?? "").join("\n");
  for (const command of [
    "npm run lint:migrations",
    "npm run synth -- --check",
    "npm test",
    "npm run typecheck",
  ]) {
    assert.ok(runs.includes(command), command);
  }
  for (const script of ["lint:migrations", "synth", "typecheck", "release"]) {
    const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
    assert.ok(scripts[script], `npm script ${script}`);
  }
});

test("a tag builds the image and promotes it with npm run release", () => {
  const release = workflow("release.yml");
  assert.ok(release.on.push.tags.length > 0);
  const build = release.jobs.image.steps.find((step: { uses?: string }) =>
    step.uses?.startsWith("docker/build-push-action"),
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expressions, not JS templates.
  assert.is(build.with.tags, "ghcr.io/breakwater/breakwater:${{ github.ref_name }}");
  assert.is(release.jobs["promote-staging"].uses, "./.github/workflows/promote.yml");
  const promote = readFileSync(join(workflowsDir, "promote.yml"), "utf8");
  // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expressions, not JS templates.
  assert.match(promote, 'npm run release -- "${ENVIRONMENT}" "${TAG}"');
  assert.match(promote, "gh pr create");
  // The image the workflow pushes is the one environments/ pins.
  const pinned = readFileSync(join(root, "environments", "images.ts"), "utf8");
  assert.match(pinned, '"ghcr.io/breakwater/breakwater"');
});

test.run();
