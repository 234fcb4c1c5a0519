/**
 * @module Controls from git are checked at synth time: every environment's folder and the
 * examples pass; a bad control file is refused with one line naming the file and the field;
 * and `npm run synth` itself fails on one.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadAllEnvironments, loadEnvironment } from "../environments";
import { makeTempDir } from "../test/harness/process";
import { controlsPath, readControlsFolder } from "./controls-folder";

const root = resolve(import.meta.dirname, "..");
const examples = join(root, "environments", "controls", "examples");
const dev = loadEnvironment("dev");

const halt = (fields: Record<string, string> = {}) => {
  const values = {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "WithdrawalHalt",
    namespace: "breakwater-services",
    ticket: "INC-1234",
    ...fields,
  };
  return [
    `apiVersion: ${values.apiVersion}`,
    `kind: ${values.kind}`,
    `metadata: { name: halt-btc, namespace: ${values.namespace} }`,
    "spec:",
    "  scope: { currencies: [BTC] }",
    '  reason: "ledger imbalance on BTC, payouts unsafe"',
    ...(values.ticket === "" ? [] : [`  ticket: "${values.ticket}"`]),
    "  requestedBy: alice",
    ...(fields.extra ? [fields.extra] : []),
  ].join("\n");
};

/** A repository root whose dev folder holds `files`. */
function folderWith(files: Record<string, string>): string {
  const dir = makeTempDir("controls-folder");
  const folder = join(dir, controlsPath(dev));
  mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return dir;
}

const problemsOf = (files: Record<string, string>) =>
  readControlsFolder(dev, folderWith(files)).problems;

test("every environment's folder in the repository passes", () => {
  for (const environment of loadAllEnvironments())
    assert.equal(readControlsFolder(environment).problems, [], environment.name);
});

test("the examples pass and are read as controls", () => {
  const files: Record<string, string> = {};
  for (const name of readdirSync(examples)) files[name] = "";
  const dir = folderWith({});
  for (const name of Object.keys(files))
    copyFileSync(join(examples, name), join(dir, controlsPath(dev), name));
  const read = readControlsFolder(dev, dir);
  assert.equal(read.problems, []);
  assert.equal(read.files.map((file) => file.object.kind).sort(), ["SymbolMode", "WithdrawalHalt"]);
});

const bad: [string, Record<string, string>, string][] = [
  [
    "an unknown kind",
    { "a.yaml": halt({ kind: "PayoutFreeze" }) },
    "a.yaml: kind: expected one of WithdrawalHalt",
  ],
  [
    "another API group",
    { "a.yaml": halt({ apiVersion: "ops.example.com/v1" }) },
    "a.yaml: apiVersion: expected ops.breakwater.dev/v1alpha1",
  ],
  [
    "another namespace",
    { "a.yaml": halt({ namespace: "payments" }) },
    "a.yaml: metadata.namespace: expected breakwater-services",
  ],
  [
    "a missing ticket",
    { "a.yaml": halt({ ticket: "" }) },
    "a.yaml: spec.ticket: spec.ticket is required",
  ],
  [
    "a malformed ticket",
    { "a.yaml": halt({ ticket: "1234" }) },
    "a.yaml: spec.ticket: ticket must be an issue key like INC-1234",
  ],
  [
    "a field the kind lacks",
    { "a.yaml": halt({ extra: "  currency: BTC" }) },
    "a.yaml: spec.currency: is not a field of this kind",
  ],
  [
    "a status",
    { "a.yaml": `${halt()}\nstatus: { phase: Applied }` },
    "a.yaml: status: a control file declares its spec",
  ],
  ["a .yml file", { "a.yml": halt() }, "a.yml: (file): expected a .yaml control manifest"],
  ["broken YAML", { "a.yaml": "kind: [WithdrawalHalt" }, "a.yaml: (document): not YAML"],
  [
    "a name declared twice",
    { "a.yaml": halt(), "b.yaml": halt() },
    "b.yaml: metadata.name: WithdrawalHalt/halt-btc is also declared in environments/controls/dev/a.yaml",
  ],
];

for (const [what, files, expected] of bad) {
  test(`${what} is refused with one line naming the file and the field`, () => {
    const problems = problemsOf(files);
    assert.is(problems.length, 1, problems.join("\n"));
    assert.ok(
      problems[0]!.startsWith(`environments/controls/dev/${expected}`),
      `${problems[0]} does not start with ${expected}`,
    );
    assert.not.match(problems[0]!, "\n");
  });
}

test("a symbol mode outside the enum names the field and the modes", () => {
  const text = [
    "apiVersion: ops.breakwater.dev/v1alpha1",
    "kind: SymbolMode",
    "metadata: { name: btc-usd, namespace: breakwater-services }",
    "spec:",
    "  symbol: BTC-USD",
    "  mode: PAUSED",
    '  reason: "price feed unreliable on BTC-USD"',
    "  ticket: INC-1",
    "  requestedBy: alice",
  ].join("\n");
  assert.equal(problemsOf({ "mode.yaml": text }), [
    "environments/controls/dev/mode.yaml: spec.mode: must be one of NORMAL, CANCEL_ONLY, SOFT_HALT, HARD_HALT",
  ]);
});

test("npm run synth fails on a bad control file, naming the file and the field", async () => {
  const file = join(root, controlsPath(dev), "zz-synth-test-bad-ticket.yaml");
  writeFileSync(file, halt({ ticket: "1234" }));
  try {
    const run = promisify(execFile);
    const failed = await run(process.execPath, ["--import", "tsx", "charts/synth.ts", "--check"], {
      cwd: root,
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok(failed, "synth passed with a bad control file");
    assert.is(failed.code, 1);
    assert.match(
      failed.stderr,
      "environments/controls/dev/zz-synth-test-bad-ticket.yaml: spec.ticket: ticket must be an issue key",
    );
  } finally {
    rmSync(file, { force: true });
  }
});

test.run();
