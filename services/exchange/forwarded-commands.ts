/**
 * @module The commands that run only on a symbol's sequencer, and how each names its symbol:
 * `POST /v1/orders` (the body's `symbol`), `DELETE /v1/orders/{id}` (the order's) and
 * `POST /admin/v1/symbols/{symbol}/cancel-all` (the path's). A replica that does not sequence
 * the symbol relays them to the one that does (`sequencer-forwarding.ts`); what cannot be read
 * (a body that is not JSON, an unknown order) and what the symbol's mode refuses stay here for
 * the route to refuse.
 */
import { z } from "zod";
import type { ServiceApp } from "../kit/app-env";
import type { ExchangeContext } from "./exchange-context";
import { findOrder } from "./order-records";
import {
  createForwardMetrics,
  forwardToSequencer,
  type RefusedByMode,
  type SymbolOf,
} from "./sequencer-forwarding";
import { requireCancel, requireOrderEntry } from "./symbol-mode-gate";

const orderId = z.uuid();

/** The body's `symbol`; the body is read once and stays cached for the route. */
const symbolOfBody: SymbolOf = async (c) => {
  try {
    const body: unknown = JSON.parse(new TextDecoder().decode(await c.req.arrayBuffer()));
    const symbol = (body as { symbol?: unknown } | null)?.symbol;
    return typeof symbol === "string" ? symbol : undefined;
  } catch {
    return undefined;
  }
};

export function mountForwardedCommands(app: ServiceApp, context: ExchangeContext): void {
  const { service, markets } = context;
  const options = {
    pool: service.pool,
    markets,
    replicaId: service.replicaId,
    timeoutMs: service.config.EXCHANGE_FORWARD_TIMEOUT_MS,
    forwards: createForwardMetrics(service.metrics.registry),
    logger: service.logger.child({ component: "forwarding" }),
  };
  const symbolOfOrder: SymbolOf = async (c) => {
    const id = c.req.param("id");
    if (!orderId.safeParse(id).success) return undefined;
    return (await findOrder(service.pool, id as string))?.symbol;
  };
  const refuses =
    (check: typeof requireCancel): RefusedByMode =>
    (symbol) => {
      try {
        check(service.controls, symbol);
        return false;
      } catch {
        return true;
      }
    };
  const [entry, cancel] = [refuses(requireOrderEntry), refuses(requireCancel)];
  app.on(["POST"], "/v1/orders", forwardToSequencer(options, symbolOfBody, entry));
  app.on(["DELETE"], "/v1/orders/:id", forwardToSequencer(options, symbolOfOrder, cancel));
  app.on(
    ["POST"],
    "/admin/v1/symbols/:symbol/cancel-all",
    forwardToSequencer(options, async (c) => c.req.param("symbol"), cancel),
  );
}
