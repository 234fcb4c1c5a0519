/**
 * @module The demo traders' access tokens for the exchange, one file each beside the
 * kubeconfigs (`.breakwater/platform/exchange-token-<trader>`, mode 600, removed on stop), so a
 * person can place an order with curl without handling the sandbox's token.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exchangeScopes } from "../services/exchange/exchange-context";
import type { TokenIssuer } from "../test/kit/token-issuer";
import { platformKubeconfigDir } from "./platform-state";

/** Write a token per trader with the scopes to trade and read; returns trader → file. */
export async function writeTraderTokens(
  issuer: TokenIssuer,
  traders: readonly string[],
): Promise<Record<string, string>> {
  const scopes = [
    exchangeScopes.ordersWrite,
    exchangeScopes.ordersRead,
    exchangeScopes.accountsRead,
  ];
  const files: Record<string, string> = {};
  for (const trader of traders) {
    const path = join(platformKubeconfigDir, `exchange-token-${trader}`);
    writeFileSync(path, await issuer.token(trader, scopes), { mode: 0o600 });
    files[trader] = path;
  }
  return files;
}
