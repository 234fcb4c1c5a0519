/**
 * @module Debian's Chromium, headless, as the status page's real browser (`npm run setup`
 * installs it): the DOM after the page loaded, and a screenshot. Each run gets its own
 * profile directory; as root Chromium needs `--no-sandbox`.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { makeTempDir } from "../harness/process";

const exec = promisify(execFile);

function chromiumArgs(): string[] {
  return [
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--hide-scrollbars",
    `--user-data-dir=${makeTempDir("chromium-profile")}`,
    ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
  ];
}

/** The page's DOM as Chromium serialises it after load. */
export async function renderedDom(url: string): Promise<string> {
  const { stdout } = await exec("chromium", [...chromiumArgs(), "--dump-dom", url], {
    maxBuffer: 8 * 1024 * 1024,
    timeout: 120_000,
  });
  return stdout;
}

/** Save a PNG screenshot of `url` at `path`. */
export async function screenshot(url: string, path: string, size = "1000,1100"): Promise<void> {
  await exec(
    "chromium",
    [...chromiumArgs(), `--window-size=${size}`, `--screenshot=${path}`, url],
    { timeout: 120_000 },
  );
}
