/**
 * @module A sequencer in a process of its own, for the crash test: it leads BTC-USD on
 * `DATABASE_URL` and submits the benchmark's order stream, eight commands in flight, printing
 * `acked <n>` for every command once it is committed, until it is killed.
 */
import { orderStream } from "../bench/exchange-matching";
import { migratedPool, testSequencer } from "./sequencer-fixture";

const pool = await migratedPool(process.env.DATABASE_URL ?? "");
const { sequencer } = testSequencer(pool, "child", { leaseTtlMs: 3000 });
await sequencer.maintainLease();
// Renewals never overlap: the next starts 500 ms after the last one ended.
async function renew(): Promise<void> {
  await sequencer.maintainLease();
  setTimeout(renew, 500);
}
setTimeout(renew, 500);
if (!sequencer.isLeader()) throw new Error("the child could not lead BTC-USD");
const steps = orderStream(20_000, 7);
let next = 0;
async function lane(): Promise<void> {
  for (;;) {
    const index = next++;
    const step = steps[index];
    if (step === undefined) return;
    const command =
      "order" in step
        ? ({ type: "place", order: step.order } as const)
        : ({ type: "cancel", orderId: step.cancel } as const);
    await sequencer.submit(command);
    process.stdout.write(`acked ${index}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, lane));
