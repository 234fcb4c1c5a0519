/**
 * @module What customers can do, one registry entry per capability: which service provides
 * it, the dimension it is split by (a currency, a provider, a symbol), and which control
 * kinds affect it and how badly. A service joins the status page with one entry here.
 * An EscrowResolution acts once on one transaction and is never published; escrow's releases
 * are affected while a SessionRevocation signs its customers out.
 */

/** The component statuses of the Statuspage format, least severe first. */
export const componentStatuses = [
  "operational",
  "degraded_performance",
  "partial_outage",
  "major_outage",
] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

export interface Capability {
  /** Component group id, e.g. `payouts`. */
  readonly id: string;
  /** Group name on the page, e.g. "Payouts". */
  readonly title: string;
  /** The service whose controls affect it (a control's `service` target must match). */
  readonly service: string;
  /** The control target dimension its items are, e.g. `currency`. */
  readonly dimension: string;
  /** The environment variable listing its items (comma-separated) and their default. */
  readonly itemsVariable: string;
  readonly defaultItems: string;
  /** One item's component name, e.g. "Payouts in BTC". */
  itemTitle(item: string): string;
  /**
   * The control kinds that affect it, and what each does to an item it covers: a status, or
   * one read from the control's spec (undefined: this control leaves it operational).
   */
  readonly affectedBy: Readonly<Record<string, ComponentStatus | StatusOfSpec>>;
}

type StatusOfSpec = (spec: Readonly<Record<string, unknown>>) => ComponentStatus | undefined;

/** A SymbolMode's effect: cancels only is partial, a halt is an outage, NORMAL is nothing. */
const symbolModeStatus: StatusOfSpec = (spec) =>
  spec.mode === "NORMAL"
    ? undefined
    : spec.mode === "CANCEL_ONLY"
      ? "partial_outage"
      : "major_outage";

/** Every customer-facing capability, in page order. */
export const capabilities: readonly Capability[] = [
  {
    id: "payouts",
    title: "Payouts",
    service: "payments",
    dimension: "currency",
    itemsVariable: "STATUS_PAYOUT_CURRENCIES",
    defaultItems: "BTC,ETH,USD",
    itemTitle: (currency) => `Payouts in ${currency}`,
    affectedBy: { WithdrawalHalt: "major_outage", PayoutThrottle: "degraded_performance" },
  },
  {
    id: "purchases",
    title: "Purchases",
    service: "purchasing",
    dimension: "provider",
    itemsVariable: "STATUS_PURCHASE_PROVIDERS",
    defaultItems: "a,b,c",
    itemTitle: (provider) => `Purchases from provider ${provider}`,
    affectedBy: { ProviderDisable: "partial_outage" },
  },
  {
    id: "trading",
    title: "Trading",
    service: "exchange",
    dimension: "symbol",
    itemsVariable: "STATUS_TRADING_SYMBOLS",
    defaultItems: "BTC-USD,ETH-USD",
    itemTitle: (symbol) => `Trading ${symbol}`,
    affectedBy: { SymbolMode: symbolModeStatus, OrderThrottle: "degraded_performance" },
  },
  {
    id: "escrow",
    title: "Escrow",
    service: "escrow",
    dimension: "currency",
    itemsVariable: "STATUS_ESCROW_CURRENCIES",
    defaultItems: "USD",
    itemTitle: (currency) => `Escrow releases in ${currency}`,
    // Signed-out buyers must sign in again before they can confirm a release.
    affectedBy: { SessionRevocation: "degraded_performance" },
  },
];

/** What a control of `kind` with `spec` does to the items of `capability` it covers. */
export function statusUnder(
  capability: Capability,
  kind: string,
  spec: Readonly<Record<string, unknown>>,
): ComponentStatus | undefined {
  const effect = capability.affectedBy[kind];
  return typeof effect === "function" ? effect(spec) : effect;
}

/** The statuses' order: the worse of two statuses. */
export function worseStatus(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return componentStatuses.indexOf(a) >= componentStatuses.indexOf(b) ? a : b;
}

/** `payouts:btc`: a component's id in the feed. */
export function componentId(capability: Capability, item: string): string {
  return `${capability.id}:${item.toLowerCase()}`;
}
