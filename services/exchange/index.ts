/**
 * @module The exchange's trading core: accounts per asset on the kit's ledger, order entry
 * under each symbol's mode and throttle, a sequencer and matching engine per symbol, the book, and
 * withdrawals under WithdrawalHalt. `npm run service -- exchange` starts it from environment
 * variables alone.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { registerBearerScheme } from "../kit/caller-auth";
import { redisFailoverKind } from "../kit/redis-router";
import { defineService } from "../kit/service";
import { createServiceTokenVerifier, sessionRevocationKind } from "../kit/session-revocation";
import { withdrawalHaltKind } from "../payments/withdrawal-halt";
import { mountAccountsApi } from "./accounts-api";
import { mountBookApi } from "./book-api";
import { mountCancelAllApi } from "./cancel-all-api";
import { exchangeConfigSchema } from "./config";
import type { SymbolSpec } from "./engine/symbol-spec";
import type { ExchangeContext, ExchangeServiceContext } from "./exchange-context";
import { mountForwardedCommands } from "./forwarded-commands";
import { Markets } from "./markets";
import { createOrderThrottleGate, orderThrottleKind } from "./order-throttle-gate";
import { mountOrdersApi } from "./orders-api";
import { createSequencerMetrics } from "./sequencer/sequencer-metrics";
import { settlementMetrics } from "./settlement/settlement-metrics";
import { settlementWorkers } from "./settlement/settlement-workers";
import { mountSettlementReplayApi } from "./settlement-replay-api";
import { symbolModeKind } from "./symbol-mode-gate";
import { catalogueSymbol } from "./symbols";
import { mountWithdrawalsApi } from "./withdrawals-api";

/** One exchange context per service instance (replicas in one process keep theirs apart). */
const contexts = new WeakMap<ExchangeServiceContext, ExchangeContext>();
/** Each instance's HTTP server, whose listening address it advertises when told none. */
const servers = new WeakMap<ExchangeServiceContext, Server>();

/** `http://host:port`, an IPv6 address in brackets. */
function httpUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * `EXCHANGE_ADVERTISE_URL`, else the pod's IP and port, else the address listened on unless
 * that is every interface.
 */
function advertiseUrl(service: ExchangeServiceContext): string | undefined {
  const { EXCHANGE_ADVERTISE_URL, POD_IP, HOST } = service.config;
  if (EXCHANGE_ADVERTISE_URL !== undefined) return EXCHANGE_ADVERTISE_URL;
  const address = servers.get(service)?.address() as AddressInfo | null | undefined;
  if (address == null) return undefined;
  if (POD_IP !== undefined) return httpUrl(POD_IP, address.port);
  return HOST === "0.0.0.0" || HOST === "::" ? undefined : httpUrl(HOST, address.port);
}

function exchangeContext(service: ExchangeServiceContext): ExchangeContext {
  let context = contexts.get(service);
  if (context === undefined) {
    const specs = new Map(
      service.config.EXCHANGE_SYMBOLS.map((symbol) => [
        symbol,
        catalogueSymbol(symbol) as SymbolSpec,
      ]),
    );
    const markets = new Markets({
      pool: service.pool,
      specs: [...specs.values()],
      holder: service.replicaId,
      leaseTtlMs: service.config.EXCHANGE_LEASE_TTL_MS,
      advertiseUrl: () => advertiseUrl(service),
      metrics: createSequencerMetrics(service.metrics.registry),
      logger: service.logger.child({ component: "sequencer" }),
    });
    const settlement = settlementWorkers({
      pool: service.pool,
      kafka: service.kafka,
      logger: service.logger.child({ component: "settlement" }),
      metrics: settlementMetrics(service.metrics.registry),
      consume: service.config.EXCHANGE_SETTLEMENT_CONSUMER,
      invariantCheckMs: service.config.EXCHANGE_INVARIANT_CHECK_MS,
    });
    context = {
      service,
      verifier: createServiceTokenVerifier(service),
      markets,
      orderThrottle: createOrderThrottleGate(service.controls, service.redis),
      specs,
      settlement,
    };
    contexts.set(service, context);
  }
  return context;
}

/** The symbols' sequencers of a running exchange (benchmarks submit to them directly). */
export function exchangeMarkets(service: ExchangeServiceContext): Markets {
  return exchangeContext(service).markets;
}

export const service = defineService({
  name: "exchange",
  migrationsDir: join(import.meta.dirname, "migrations"),
  ledger: true,
  config: exchangeConfigSchema,
  controlKinds: [
    symbolModeKind,
    orderThrottleKind,
    withdrawalHaltKind,
    sessionRevocationKind,
    redisFailoverKind,
  ],
  relay(app, service) {
    mountForwardedCommands(app, exchangeContext(service));
  },
  attach(server, service) {
    servers.set(service, server);
  },
  routes(app, service) {
    const context = exchangeContext(service);
    registerBearerScheme(app);
    mountAccountsApi(app, context);
    mountOrdersApi(app, context);
    mountBookApi(app, context);
    mountWithdrawalsApi(app, context);
    mountCancelAllApi(app, context);
    mountSettlementReplayApi(app, context);
  },
  workers(service) {
    const context = exchangeContext(service);
    return [
      {
        name: "sequencer-leases",
        // Three renewals per lease period, so one slow renewal never loses the lease.
        intervalMs: Math.floor(service.config.EXCHANGE_LEASE_TTL_MS / 3),
        run: () => context.markets.maintainLeases(),
      },
      ...context.settlement.workers,
    ];
  },
  async onStop(service) {
    const context = exchangeContext(service);
    await context.settlement.stop();
    await context.markets.stop();
  },
});

export default service;
