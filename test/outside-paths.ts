/**
 * @module Which lines of a repository file refer to a path outside the repository, so a clone
 * that stands alone cannot depend on one machine's folders without a test saying so.
 *
 * The rule, per line:
 * - a relative path whose `../` steps, taken from the file's own folder, climb above the
 *   repository root (three steps up from `test/platform/`, say);
 * - a relative path one or more steps up that then names `shared`: the folder that sits beside
 *   a checkout on some machines, wherever the file is;
 * - an absolute path into one machine's folders: `/work/…`, `/root/…`, `/home/<user>/…`,
 *   `/Users/<user>/…`, `/mnt/…`, and scratch paths `/tmp/…` and `/var/tmp/…`.
 *
 * Allowed: the bare folders (`/tmp` as a mount path or a `HOME`, `/root` named as an example of
 * a home), system paths (`/usr/bin/…`, `/etc/…`, `/var/cache/…`), and anything inside a URL
 * (`https://host/home/…`): a path only counts when it starts a word, after a space, a quote, a
 * bracket, `=` or `:`. Code that needs a temp dir asks `os.tmpdir()` instead of naming `/tmp/…`.
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";

/** One offending reference. */
export interface OutsidePath {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The path as written. */
  readonly path: string;
  /** Why it counts as outside. */
  readonly why: string;
}

/** What may come right before a path for it to count as one (not the middle of a URL). */
const start = String.raw`(?<=^|[\s"'\`(\[=:,])`;
const pathChars = String.raw`[^\s"'\`()\[\]<>,;]*`;

/** Absolute paths that exist on one machine only. */
const machinePath = new RegExp(
  `${start}(/(?:work|root|mnt|tmp|var/tmp)/[\\w.$<>{}*-]${pathChars}|/(?:home|Users)/[\\w.-]+${pathChars})`,
  "g",
);
/** A run of `../` steps and what follows it. */
const relativeUp = new RegExp(`${start}((?:\\.\\./)+)(${pathChars})`, "g");

/** Every reference to a path outside the repository in `text`, the content of `file`. */
export function outsidePaths(root: string, file: string, text: string): OutsidePath[] {
  const found: OutsidePath[] = [];
  const folder = dirname(resolve(root, file));
  text.split("\n").forEach((content, index) => {
    const line = index + 1;
    for (const match of content.matchAll(machinePath)) {
      found.push({ file, line, path: match[1]!, why: "an absolute path of one machine" });
    }
    for (const match of content.matchAll(relativeUp)) {
      const [path, steps, rest] = [match[1]! + match[2]!, match[1]!, match[2]!];
      const target = relative(root, resolve(folder, steps));
      if (target.startsWith("..") || isAbsolute(target)) {
        found.push({ file, line, path, why: "climbs out of the repository" });
      } else if (/^shared(\/|$)/.test(rest)) {
        found.push({ file, line, path, why: "the folder beside the checkout" });
      }
    }
  });
  return found;
}
