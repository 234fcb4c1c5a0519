/**
 * @module Which metrics a PromQL expression reads, and which a `/metrics` page exports, so a
 * test can prove every alert and dashboard reads only metrics a service really exports.
 *
 * The extractor is deliberately small rather than a PromQL parser: it blanks out string
 * literals, label matchers `{…}`, range and subquery brackets `[…]`, grouping clauses
 * (`by (…)`, `without`, `on`, `ignoring`, `group_left`, `group_right`), Grafana variables
 * (`$__rate_interval`, `${x}`) and comments; what is left that looks like an identifier is a
 * metric name unless it is a function or aggregation (followed by `(`), a keyword (`and`,
 * `offset`, `bool`, …) or part of a number or duration (`5m`, `1e3`).
 */

const keywords = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
]);

const identifier = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;

/** The expression with everything but metric names, functions and operators blanked. */
function skeleton(expr: string): string {
  return expr
    .replace(/#.*$/gm, " ")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
}

/**
 * The metric names `expr` reads, sorted and unique.
 * @example metricNamesIn('sum by (le) (rate(http_request_duration_seconds_bucket{path!="x"}[5m]))')
 * // ["http_request_duration_seconds_bucket"]
 */
export function metricNamesIn(expr: string): string[] {
  const text = skeleton(expr);
  const names = new Set<string>();
  for (const match of text.matchAll(identifier)) {
    const start = match.index;
    const before = text[start - 1] ?? " ";
    const after = text.slice(start + match[0].length).trimStart();
    if (/[0-9.]/.test(before)) continue;
    if (after.startsWith("(")) continue;
    if (keywords.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names].sort();
}

/** Each selector `name{labels}` in `expr` with the label names its matchers use. */
export function selectorLabelsIn(expr: string): { metric: string; labels: string[] }[] {
  const selectors: { metric: string; labels: string[] }[] = [];
  for (const match of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const labels = [...match[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)];
    selectors.push({ metric: match[1]!, labels: labels.map((label) => label[1]!) });
  }
  return selectors;
}

export interface Exposition {
  /** Names a query can read: every sample's name, and counter/gauge families declared. */
  readonly names: Set<string>;
  /** Label names seen on each sample name. */
  readonly labels: Map<string, Set<string>>;
}

/**
 * The metric names and labels a Prometheus text exposition exports. A labelled counter or
 * gauge with no sample yet counts by its `# TYPE` line; a histogram's `_bucket`, `_sum` and
 * `_count` count only once they have samples, so a test must exercise it.
 */
export function exportedMetrics(text: string): Exposition {
  const names = new Set<string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split("\n")) {
    const declared = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|untyped)$/.exec(line);
    if (declared) names.add(declared[1]!);
    // A labelled histogram shows no sample until its first observation; its series are known.
    const histogram = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) histogram$/.exec(line);
    if (histogram)
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${histogram[1]}${suffix}`);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!sample) continue;
    names.add(sample[1]!);
    const seen = labels.get(sample[1]!) ?? new Set<string>();
    for (const pair of (sample[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g))
      seen.add(pair[1]!);
    labels.set(sample[1]!, seen);
  }
  return { names, labels };
}
