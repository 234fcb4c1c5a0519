/**
 * @module Which exchange replica sequences a symbol: only that one answers its book reads, the
 * others answer 503 `exchange/sequencer-unavailable` (and none does for a moment while a lease
 * passes); orders sent to the others are forwarded to it. Asks each replica for the book until
 * one answers or time is up.
 */

export interface SequencingReplica {
  readonly url: string;
  /** The symbol's book as that replica answered it (`bids`, `asks`, best first). */
  readonly book: Record<string, unknown>;
}

/**
 * The replica of `urls` that sequences `symbol`, asked with `bearer` (a trader's token).
 *
 * @example const { url } = await sequencingReplica(state.services.exchange.urls, "BTC-USD", token, 30_000);
 */
export async function sequencingReplica(
  urls: readonly string[],
  symbol: string,
  bearer: string,
  timeoutMs: number,
): Promise<SequencingReplica> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers: string[] = [];
    for (const url of urls) {
      const answer = await fetch(`${url}/v1/book/${symbol}?depth=1`, {
        headers: { authorization: `Bearer ${bearer}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
      if (answer.status === 200) return { url, book: body };
      answers.push(`${url}: ${answer.status} ${String(body.type ?? "")}`);
    }
    if (Date.now() > deadline)
      throw new Error(`no replica sequences ${symbol} (${answers.join("; ")})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
