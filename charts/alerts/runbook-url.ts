/**
 * @module Where an alert's runbook lives: one pattern for every `runbook_url`, pointing at
 * `runbooks/<component>/<AlertName>.md` in the repository and revision Argo CD syncs, so the
 * link an on-call person follows is the runbook of the rules that fired.
 */

/** The only place a runbook URL is spelled; `{…}` are filled by {@link runbookUrl}. */
export const runbookUrlPattern = "{repository}/blob/{revision}/runbooks/{component}/{alert}.md";

/** The repository Argo CD pulls from, as in `environment.gitops`. */
export interface RunbookSource {
  /** e.g. `https://github.com/breakwater/breakwater.git`; a trailing `.git` is dropped. */
  readonly repoURL: string;
  /** Branch, tag or commit. */
  readonly revision: string;
}

/** The repository path of a runbook, e.g. `runbooks/payments/PaymentsLedgerImbalance.md`. */
export function runbookPath(component: string, alert: string): string {
  return `runbooks/${component}/${alert}.md`;
}

/**
 * The browsable URL of an alert's runbook.
 * @example runbookUrl({ repoURL: "https://github.com/breakwater/breakwater.git", revision: "main" }, "payments", "PaymentsLedgerImbalance")
 * // "https://github.com/breakwater/breakwater/blob/main/runbooks/payments/PaymentsLedgerImbalance.md"
 */
export function runbookUrl(source: RunbookSource, component: string, alert: string): string {
  return runbookUrlPattern
    .replace("{repository}", source.repoURL.replace(/\.git$/, ""))
    .replace("{revision}", source.revision)
    .replace("{component}", component)
    .replace("{alert}", alert);
}

/** The repository path a runbook URL points at, or undefined when it is not one of ours. */
export function runbookPathOfUrl(source: RunbookSource, url: string): string | undefined {
  const prefix = runbookUrl(source, "\0", "\0").split("runbooks/\0")[0]!;
  if (!url.startsWith(prefix)) return undefined;
  const path = url.slice(prefix.length);
  return /^runbooks\/[a-z0-9-]+\/[A-Za-z0-9]+\.md$/.test(path) ? path : undefined;
}
