/**
 * @module The symbols this replica trades: a sequencer per symbol whose hooks hold funds and
 * record the order before the engine sees it, then release what was freed, update the order
 * view and queue the market events in the same transaction. A worker keeps each lease.
 */
import type { Logger } from "pino";
import type { Pool, Tx } from "../kit/db";
import type { SymbolSpec } from "./engine/symbol-spec";
import { placeHold, postRelease, releasesOf } from "./holds";
import { publishMarketEvents } from "./market-events";
import { insertOrder, type OrderIntent, recordOutcome } from "./order-records";
import type { EngineCommand } from "./sequencer/engine-command";
import { type SequencedCommand, SymbolSequencer } from "./sequencer/sequencer";
import type { SequencerMetrics } from "./sequencer/sequencer-metrics";

export interface MarketsOptions {
  readonly pool: Pool;
  readonly specs: readonly SymbolSpec[];
  readonly holder: string;
  readonly leaseTtlMs: number;
  /** Where the other replicas reach this one, stored with each lease it holds. */
  readonly advertiseUrl?: () => string | undefined;
  readonly metrics: SequencerMetrics;
  readonly logger: Logger;
}

export class Markets {
  private readonly sequencers = new Map<string, SymbolSequencer>();
  /** Orders submitted by this replica and not yet sequenced, by order id. */
  private readonly intents = new Map<string, OrderIntent>();

  constructor(options: MarketsOptions) {
    for (const spec of options.specs) {
      const hooks = {
        admit: (tx: Tx, command: EngineCommand) => this.admit(tx, spec, command),
        apply: (tx: Tx, sequenced: SequencedCommand) => applyOutcome(tx, spec, sequenced),
      };
      this.sequencers.set(spec.symbol, new SymbolSequencer({ ...options, spec, hooks }));
    }
  }

  sequencer(symbol: string): SymbolSequencer | undefined {
    return this.sequencers.get(symbol);
  }

  /** Places an order: resolves once it is held, logged and matched. */
  async place(intent: OrderIntent): Promise<SequencedCommand> {
    const sequencer = this.sequencers.get(intent.symbol) as SymbolSequencer;
    this.intents.set(intent.order.orderId, intent);
    try {
      return await sequencer.submit({ type: "place", order: intent.order });
    } finally {
      this.intents.delete(intent.order.orderId);
    }
  }

  /** Takes or renews every symbol's lease. */
  async maintainLeases(): Promise<void> {
    await Promise.all([...this.sequencers.values()].map((sequencer) => sequencer.maintainLease()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sequencers.values()].map((sequencer) => sequencer.stop()));
  }

  private async admit(tx: Tx, spec: SymbolSpec, command: EngineCommand): Promise<void> {
    if (command.type !== "place") return;
    const intent = this.intents.get(command.order.orderId);
    if (intent === undefined) throw new Error(`order ${command.order.orderId} has no intent`);
    await insertOrder(tx, intent);
    await placeHold(tx, spec, command.order);
  }
}

async function applyOutcome(tx: Tx, spec: SymbolSpec, sequenced: SequencedCommand): Promise<void> {
  for (const release of releasesOf(spec, sequenced)) await postRelease(tx, spec.symbol, release);
  await recordOutcome(tx, sequenced);
  publishMarketEvents(tx, sequenced);
}
