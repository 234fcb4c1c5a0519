/**
 * @module Tests `npm run synth` end to end on a temporary output folder: a wrong environment
 * or a failed check exits non-zero with the problem named and writes nothing; a good run
 * writes the tree and `--check` tells a fresh tree from a stale one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Environment,
  loadAllEnvironments,
  loadEnvironment,
  parseEnvironment,
} from "../environments";
import { prod as prodSource } from "../environments/prod";
import { makeTempDir } from "../test/harness/process";
import { runSynth } from "./synth-command";
import { readTree } from "./write-rendered";

function run(argv: string[], environments: () => Environment[]) {
  const renderedRoot = join(makeTempDir("synth"), "rendered");
  mkdirSync(join(renderedRoot, "prod"), { recursive: true });
  writeFileSync(join(renderedRoot, "prod", "before.yaml"), "kept");
  let stdout = "";
  let stderr = "";
  const code = runSynth(argv, {
    loadAllEnvironments: environments,
    loadEnvironment,
    renderedRoot,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr, files: readTree(renderedRoot), renderedRoot };
}

test("a wrong environment value stops synth, names environment and field, writes nothing", () => {
  const broken = {
    ...prodSource,
    postgres: {
      ...prodSource.postgres,
      payments: { ...prodSource.postgres.payments, instances: 0 },
    },
  };
  const result = run([], () => [parseEnvironment("prod", broken)]);
  assert.is(result.code, 1);
  assert.match(result.stderr, "prod: postgres.payments.instances: expected a number ≥ 1");
  assert.equal([...result.files], [["prod/before.yaml", "kept"]]);
});

test("a failed manifest check stops synth and writes nothing", () => {
  const prod = loadEnvironment("prod");
  const payments = {
    ...prod.postgres.payments,
    backup: { ...prod.postgres.payments.backup, pitr: false },
  };
  const result = run([], () => [{ ...prod, postgres: { ...prod.postgres, payments } }]);
  assert.is(result.code, 1);
  assert.match(
    result.stderr,
    "prod/postgres/cluster-data-plane-payments-db.yaml: pitr: Cluster payments-db has no point-in-time recovery",
  );
  assert.equal([...result.files], [["prod/before.yaml", "kept"]]);
});

test("a good run writes every environment and prints the table; --check then passes", () => {
  const result = run([], loadAllEnvironments);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /environment\s+app\s+objects/);
  assert.match(result.stdout, /prod\s+postgres\s+16/);
  assert.not.ok(result.files.has("prod/before.yaml"));
  assert.ok(result.files.has("prod/postgres/cluster-data-plane-payments-db.yaml"));
  let out = "";
  const context = {
    loadAllEnvironments,
    loadEnvironment,
    renderedRoot: result.renderedRoot,
    stdout: (text: string) => {
      out += text;
    },
    stderr: (text: string) => {
      out += text;
    },
  };
  assert.is(runSynth(["--check"], context), 0);
  writeFileSync(
    join(result.renderedRoot, "prod", "services", "deployment-breakwater-services-payments.yaml"),
    "edited",
  );
  assert.is(runSynth(["--check"], context), 1);
  assert.match(out, "prod/services/deployment-breakwater-services-payments.yaml");
});

test("an unknown option is one line and exit code 2", () => {
  const result = run(["--prune"], loadAllEnvironments);
  assert.is(result.code, 2);
  assert.is(
    result.stderr,
    "synth: unknown option --prune (expected --check, --restore, --to, --env, --output)\n",
  );
});

test.run();
