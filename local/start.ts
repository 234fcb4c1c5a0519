/**
 * @module `npm start`: the whole platform on this machine (platform.ts). Prints the
 * endpoints, the kubeconfig and things to try (a halt, a drill, the status page, an order, an
 * escrow login), then runs until Ctrl-C (SIGINT) or
 * SIGTERM, on which the harness stops every server it started (process.ts) and every port
 * is freed. A second `npm start` while one
 * runs says so and exits 1.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { marketDataUrl } from "../smoke/exchange/market-listener";
import { sequencingReplica } from "../smoke/exchange/sequencing-replica";
import { startLocalPlatform } from "./platform";
import {
  type PlatformState,
  platformFile,
  removePlatformState,
  runningPlatform,
  stateDir,
  writePlatformState,
} from "./platform-state";

const startedMs = Date.now();
const seconds = () => `${((Date.now() - startedMs) / 1000).toFixed(1)} s`;

function banner(state: PlatformState, hints: readonly string[]): string {
  const kubeconfig = relative(process.cwd(), state.kubeconfigs.alice!);
  const rows: [string, string][] = [
    ["status page", state.endpoints.statusPage],
    ...Object.entries(state.services)
      .filter(([name]) => name !== "status-page")
      .map(([name, service]): [string, string] => [name, service.urls.join("  ")]),
    ["exchange ws", marketDataUrl(state.services["exchange-edge"]!.urls[0]!)],
    ["prometheus", state.endpoints.prometheus],
    ["alertmanager", state.endpoints.alertmanager],
    ["kubernetes", state.endpoints.kubernetes],
    ["autopilot", state.endpoints.autopilot],
    ["operator", `${state.endpoints.operator}/metrics`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `breakwater is up in ${seconds()} (environment ${state.environment}; endpoints in ${relative(process.cwd(), platformFile)})`,
    "",
    ...rows.map(([name, url]) => `  ${name.padEnd(width)}  ${url}`),
    "",
    `  export KUBECONFIG=${kubeconfig}   (you are alice, on call; admin: ${relative(process.cwd(), state.kubeconfigs.admin!)})`,
    "",
    "Try:",
    "  1. halt BTC payouts:    kubectl apply -f environments/controls/examples/halt-btc-withdrawals.yaml && kubectl get controls -A",
    "  2. run a drill:         npm run drill -- ledger-imbalance",
    `  3. open the status page: ${state.endpoints.statusPage}`,
    ...hints,
    "",
    "Ctrl-C stops everything.",
  ].join("\n");
}

/** An order anyone can place at once (demo-buyer is funded), where to watch it, and Gate G0. */
async function tradingHints(state: PlatformState): Promise<string[]> {
  const tokenFile = state.traderTokens["demo-buyer"]!;
  const token = relative(process.cwd(), tokenFile);
  // Any replica takes the order (the others forward it); the curl goes to the one that
  // sequences BTC-USD, which spares the hop.
  const { url } = await sequencingReplica(
    state.services.exchange!.urls,
    "BTC-USD",
    readFileSync(tokenFile, "utf8"),
    60_000,
  );
  const order = JSON.stringify({
    clientOrderId: "try-1",
    symbol: "BTC-USD",
    side: "buy",
    type: "limit",
    price: "5000000",
    quantity: "100000",
  });
  return [
    "  4. buy 0.001 BTC at 50,000.00 USD as demo-buyer (demo-seller is funded too):",
    `     curl -s -X POST ${url}/v1/orders -H "authorization: Bearer $(cat ${token})" -H 'content-type: application/json' -d '${order}'`,
    `  5. watch trades and candles: connect to ${marketDataUrl(state.services["exchange-edge"]!.urls[0]!)} and send {"op":"subscribe","channel":"trades","symbol":"BTC-USD"}`,
    "  6. run the exchange's Gate G0: npm run smoke -- exchange",
  ];
}

/** How to sign in to escrow as its demo buyer: the password from a file, then the app's code. */
function escrowHints(state: PlatformState): string[] {
  const url = state.services.escrow!.urls[0]!;
  const files = state.escrowLogins["demo-buyer"]!;
  const json = "-H 'content-type: application/json'";
  return [
    "  7. sign in to escrow as demo-buyer (a password, then the authenticator's code; demo-seller too):",
    `     curl -s -X POST ${url}/api/v1/auth/login ${json} -d @${relative(process.cwd(), files.login)}`,
    `     CHALLENGE=<challengeId from above>; curl -s -X POST ${url}/api/v1/auth/otp ${json} -d "{\\"challengeId\\":\\"$CHALLENGE\\",\\"code\\":\\"$(npx tsx local/escrow-otp.ts ${relative(process.cwd(), files.otpauth)})\\"}"`,
    "  8. a stuck escrow, released with four eyes: npm run drill -- stuck-escrow",
  ];
}

async function main(): Promise<void> {
  const running = runningPlatform();
  if (running) {
    console.error(
      `npm start: breakwater already runs (pid ${running.pid}, since ${running.startedAt}); its endpoints are in ${platformFile}. Stop it with Ctrl-C in its terminal.`,
    );
    process.exitCode = 1;
    return;
  }
  mkdirSync(stateDir, { recursive: true });
  console.log("starting breakwater on this machine…");
  const platform = await startLocalPlatform((what) =>
    console.log(`  ${what} ready (${seconds()})`),
  );
  writePlatformState(platform.state);
  // The harness kills every server it started (their process groups) and removes their temp
  // dirs when this process exits or gets SIGINT/SIGTERM; the state file goes with them.
  process.on("exit", removePlatformState);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.prependOnceListener(signal, () => {
      console.log(`\n${signal}: stopping breakwater`);
      removePlatformState();
    });
  const hints = [...(await tradingHints(platform.state)), ...escrowHints(platform.state)];
  console.log(banner(platform.state, hints));
}

main().catch((error: unknown) => {
  // Nothing is half-started: the harness stops every server as this process exits.
  removePlatformState();
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
