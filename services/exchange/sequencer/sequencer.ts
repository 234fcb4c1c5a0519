/**
 * @module The sequencer of one symbol: while this replica holds the symbol's lease, it takes
 * commands one batch at a time, runs them through the engine, and appends each command and
 * every event it caused to the engine log with the next seqs and its fencing token, in one
 * transaction with the service's own effects (holds, orders, outbox). A command is answered
 * only after that commit. Any failed batch drops the in-memory engine, which is rebuilt from
 * the log before the next command: memory never runs ahead of what is durable.
 */
import type { Logger } from "pino";
import type { Pool, Tx } from "../../kit/db";
import { onCommit, withTransaction } from "../../kit/db";
import { MatchingEngine } from "../engine/matching-engine";
import type { SymbolSpec } from "../engine/symbol-spec";
import type { EngineEvent } from "../engine/types";
import { commandKind, type EngineCommand, toLogJson } from "./engine-command";
import {
  appendLog,
  isDuplicateSeq,
  isFencingRefusal,
  type LogRow,
  readCommands,
} from "./engine-log";
import { acquireLease, type Lease, releaseLease } from "./lease";
import type { SequencerMetrics } from "./sequencer-metrics";

/** An event with the seq the log gave it. */
export interface SequencedEvent {
  readonly seq: bigint;
  readonly event: EngineEvent;
}

/** A command as the log recorded it, with its events. */
export interface SequencedCommand {
  readonly symbol: string;
  readonly seq: bigint;
  readonly fencingToken: bigint;
  readonly command: EngineCommand;
  readonly events: readonly SequencedEvent[];
}

/** What the service does in the batch's transaction around each command. */
export interface SequencerHooks {
  /** Before the engine sees it; throwing refuses this command only (nothing is logged). */
  admit?(tx: Tx, command: EngineCommand, engine: MatchingEngine): Promise<void>;
  /** After its events are known, in the same transaction as their log rows. */
  apply?(tx: Tx, sequenced: SequencedCommand): Promise<void>;
}

export interface SequencerOptions {
  readonly pool: Pool;
  readonly spec: SymbolSpec;
  readonly holder: string;
  readonly leaseTtlMs: number;
  /** Where the other replicas reach this one, stored with the lease (read at each renewal). */
  readonly advertiseUrl?: () => string | undefined;
  readonly metrics: SequencerMetrics;
  readonly logger: Logger;
  readonly hooks?: SequencerHooks;
  /** @default 256 */
  readonly batchMax?: number;
}

/** This replica does not hold the symbol's lease (or lost it): the command was not run. */
export class NotLeaderError extends Error {
  constructor(readonly symbol: string) {
    super(`this replica is not the sequencer of ${symbol}`);
    this.name = "NotLeaderError";
  }
}

interface Pending {
  readonly command: EngineCommand;
  resolve(result: SequencedCommand): void;
  reject(error: unknown): void;
}

interface Leadership {
  readonly lease: Lease;
  engine: MatchingEngine | undefined;
  lastSeq: bigint;
}

export class SymbolSequencer {
  private leadership: Leadership | undefined;
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private readonly labels: { symbol: string };

  constructor(private readonly options: SequencerOptions) {
    this.labels = { symbol: options.spec.symbol };
  }

  get symbol(): string {
    return this.options.spec.symbol;
  }

  /** Whether this replica holds the lease now. */
  isLeader(): boolean {
    return this.leadership !== undefined;
  }

  /** The last seq committed to the log, while leading. */
  lastSeq(): bigint | undefined {
    return this.leadership?.lastSeq;
  }

  /** The engine as of the last commit, while leading. */
  engine(): MatchingEngine | undefined {
    return this.leadership?.engine;
  }

  /** Takes or renews the lease; call well within `leaseTtlMs`. */
  async maintainLease(): Promise<void> {
    const { pool, holder, leaseTtlMs } = this.options;
    let lease: Lease | undefined;
    try {
      const advertised = this.options.advertiseUrl?.();
      lease = await acquireLease(pool, this.symbol, holder, leaseTtlMs, advertised);
    } catch (error) {
      // Keep leading on a failed renewal: if another replica takes over meanwhile, the log's
      // fencing refuses this one's next append, and it steps down then.
      this.options.logger.warn({ err: error, symbol: this.symbol }, "lease renewal failed");
      return;
    }
    const current = this.leadership?.lease.fencingToken;
    if (lease !== undefined && lease.fencingToken === current) return;
    if (this.leadership !== undefined) this.stepDown("lease lost or renewed with a new token");
    if (lease === undefined) return;
    // Commands are taken only once the book is rebuilt from what the log holds.
    const leadership: Leadership = { lease, engine: undefined, lastSeq: 0n };
    leadership.engine = await this.rebuild(leadership);
    this.leadership = leadership;
    this.options.metrics.leader.set(this.labels, 1);
    this.options.logger.info(
      { symbol: this.symbol, fencingToken: String(lease.fencingToken) },
      "sequencer leader",
    );
  }

  /** Runs `command` and resolves once it and its events are committed. */
  submit(command: EngineCommand): Promise<SequencedCommand> {
    if (this.leadership === undefined) return Promise.reject(new NotLeaderError(this.symbol));
    const result = new Promise<SequencedCommand>((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
    });
    this.options.metrics.queueDepth.set(this.labels, this.queue.length);
    this.startDrain();
    return result;
  }

  /** Stops leading and hands the lease back. */
  async stop(): Promise<void> {
    await this.draining;
    const lease = this.leadership?.lease;
    this.stepDown("stopping");
    if (lease !== undefined) await releaseLease(this.options.pool, lease).catch(() => undefined);
  }

  private stepDown(why: string): void {
    if (this.leadership !== undefined)
      this.options.logger.warn({ symbol: this.symbol, why }, "sequencer stepped down");
    this.leadership = undefined;
    this.options.metrics.leader.set(this.labels, 0);
    for (const pending of this.queue.splice(0)) pending.reject(new NotLeaderError(this.symbol));
    this.options.metrics.queueDepth.set(this.labels, 0);
  }

  /** One drain at a time; a command queued while the last batch finished starts the next. */
  private startDrain(): void {
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0 && this.leadership !== undefined) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.leadership !== undefined) {
      const batch = this.queue.splice(0, this.options.batchMax ?? 256);
      this.options.metrics.queueDepth.set(this.labels, this.queue.length);
      await this.runBatch(this.leadership, batch);
    }
  }

  private async runBatch(leadership: Leadership, batch: Pending[]): Promise<void> {
    const stopTimer = this.options.metrics.loopSeconds.startTimer(this.labels);
    try {
      leadership.engine ??= await this.rebuild(leadership);
      const outcome = await this.commitBatch(leadership, leadership.engine, batch);
      leadership.lastSeq = outcome.lastSeq;
      this.options.metrics.seq.set(this.labels, Number(outcome.lastSeq));
      for (const [pending, result] of outcome.results) {
        if (result instanceof Error) pending.reject(result);
        else {
          this.options.metrics.orders.inc({ ...this.labels, type: result.command.type });
          pending.resolve(result);
        }
      }
    } catch (error) {
      this.countRefusal(error);
      if (this.leadership === leadership) this.stepDown("append failed");
      for (const pending of batch) pending.reject(error);
    } finally {
      stopTimer();
    }
  }

  /** Every command logged so far, replayed through a fresh engine. */
  private async rebuild(leadership: Leadership): Promise<MatchingEngine> {
    const engine = new MatchingEngine(this.options.spec);
    const { commands, lastSeq } = await readCommands(this.options.pool, this.symbol);
    for (const command of commands) applyCommand(engine, command);
    leadership.lastSeq = lastSeq;
    this.options.logger.info(
      { symbol: this.symbol, commands: commands.length, lastSeq: String(lastSeq) },
      "engine rebuilt from its log",
    );
    return engine;
  }

  private async commitBatch(leadership: Leadership, engine: MatchingEngine, batch: Pending[]) {
    const { pool, hooks, metrics } = this.options;
    return withTransaction(pool, async (tx) => {
      const results = new Map<Pending, SequencedCommand | Error>();
      const rows: LogRow[] = [];
      let seq = leadership.lastSeq;
      for (const pending of batch) {
        const admitted = await admit(tx, hooks, pending.command, engine);
        if (admitted !== true) {
          results.set(pending, admitted);
          continue;
        }
        const sequenced = this.sequence(
          leadership,
          seq,
          pending.command,
          applyCommand(engine, pending.command),
        );
        seq += BigInt(1 + sequenced.events.length);
        rows.push(...logRows(sequenced));
        await hooks?.apply?.(tx, sequenced);
        results.set(pending, sequenced);
      }
      const stopAppend = metrics.logAppendSeconds.startTimer(this.labels);
      await appendLog(tx, this.symbol, leadership.lease.fencingToken, rows);
      onCommit(tx, stopAppend);
      return { results, lastSeq: seq };
    });
  }

  private sequence(
    leadership: Leadership,
    before: bigint,
    command: EngineCommand,
    events: EngineEvent[],
  ): SequencedCommand {
    return {
      symbol: this.symbol,
      seq: before + 1n,
      fencingToken: leadership.lease.fencingToken,
      command,
      events: events.map((event, index) => ({ seq: before + 2n + BigInt(index), event })),
    };
  }

  private countRefusal(error: unknown): void {
    if (isFencingRefusal(error)) this.options.metrics.fencingRejections.inc(this.labels);
    else if (isDuplicateSeq(error)) this.options.metrics.duplicateSeq.inc(this.labels);
    this.options.logger.error({ err: error, symbol: this.symbol }, "engine log append failed");
  }
}

/** The engine's events for `command`. */
export function applyCommand(engine: MatchingEngine, command: EngineCommand): EngineEvent[] {
  if (command.type === "place") return engine.place(command.order);
  if (command.type === "cancel") return engine.cancel(command.orderId);
  return engine.cancelAll();
}

/** Runs the admit hook under a savepoint: true, or the refusal (which rolls back only itself). */
async function admit(
  tx: Tx,
  hooks: SequencerHooks | undefined,
  command: EngineCommand,
  engine: MatchingEngine,
): Promise<true | Error> {
  if (hooks?.admit === undefined) return true;
  await tx.query("SAVEPOINT admit");
  try {
    await hooks.admit(tx, command, engine);
    await tx.query("RELEASE SAVEPOINT admit");
    return true;
  } catch (error) {
    await tx.query("ROLLBACK TO SAVEPOINT admit");
    return error instanceof Error ? error : new Error(String(error));
  }
}

function logRows(sequenced: SequencedCommand): LogRow[] {
  return [
    {
      seq: sequenced.seq,
      kind: commandKind(sequenced.command),
      payload: toLogJson(sequenced.command),
    },
    ...sequenced.events.map(({ seq, event }) => ({
      seq,
      kind: event.type,
      payload: toLogJson(event),
    })),
  ];
}
