/**
 * @module Whether another OS user can reach a path (every folder above must let it in, the path
 * must grant what it needs), and the shared copy of the binaries that root's runs use.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { installShared, type OsUser, unreachableBecause } from "./postgres-binaries";

// Not us and not root: the permission bits decide, whoever runs the test.
const stranger: OsUser = { name: "stranger", uid: 65_533, gid: 65_533 };
const privateFolder = mkdtempSync(join(tmpdir(), "breakwater-reach-"));

test.after(() => {
  rmSync(privateFolder, { recursive: true, force: true });
});

test("a file inside a mode 700 folder is out of reach, and the folder is named", () => {
  const binary = join(privateFolder, "bin", "initdb");
  mkdirSync(join(privateFolder, "bin"));
  writeFileSync(binary, "");
  chmodSync(join(privateFolder, "bin"), 0o755);
  chmodSync(binary, 0o755);
  chmodSync(privateFolder, 0o700);
  const reason = unreachableBecause(stranger, binary, 0o5);
  assert.ok(reason?.startsWith(`cannot enter ${privateFolder} is mode 700, owner uid`), reason);
});

test("a reachable file without the needed bits is named with its mode", () => {
  chmodSync(privateFolder, 0o755);
  const data = join(privateFolder, "secret");
  writeFileSync(data, "");
  chmodSync(data, 0o600);
  assert.ok(unreachableBecause(stranger, data, 0o4)?.startsWith(`${data} is mode 600`));
  chmodSync(data, 0o644);
  assert.is(unreachableBecause(stranger, data, 0o4), undefined);
  assert.ok(unreachableBecause(stranger, data, 0o5)?.startsWith(`${data} is mode 644`));
});

test("a missing path says so", () => {
  chmodSync(privateFolder, 0o755);
  const missing = join(privateFolder, "nothing-here");
  assert.is(unreachableBecause(stranger, missing, 0o4), `${missing} does not exist`);
});

test("the shared copy is open to everyone, keeps its links, and is made once per version", () => {
  const native = join(privateFolder, "native");
  mkdirSync(join(native, "bin"), { recursive: true });
  mkdirSync(join(native, "lib"), { recursive: true });
  writeFileSync(join(native, "bin", "postgres"), "binary v1");
  chmodSync(join(native, "bin", "postgres"), 0o700);
  writeFileSync(join(native, "lib", "libpq.so.5.18"), "library");
  chmodSync(join(native, "lib", "libpq.so.5.18"), 0o600);
  symlinkSync("libpq.so.5.18", join(native, "lib", "libpq.so.5"));
  chmodSync(privateFolder, 0o700);
  const sharedRoot = join(privateFolder, "shared");

  const copy = installShared(native, "18.0.0-test", sharedRoot);
  chmodSync(privateFolder, 0o755);
  assert.is(statSync(join(copy, "bin", "postgres")).mode & 0o777, 0o755);
  assert.is(statSync(join(copy, "lib", "libpq.so.5.18")).mode & 0o777, 0o644);
  assert.is(readlinkSync(join(copy, "lib", "libpq.so.5")), "libpq.so.5.18");
  assert.is(unreachableBecause(stranger, join(copy, "bin", "postgres"), 0o5), undefined);

  writeFileSync(join(native, "bin", "postgres"), "binary v2");
  assert.is(installShared(native, "18.0.0-test", sharedRoot), copy);
  assert.is(readFileSync(join(copy, "bin", "postgres"), "utf8"), "binary v1", "not copied again");
});

test.run();
