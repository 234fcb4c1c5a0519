/**
 * @module The flow id: one id for everything a user's request sets off (the API request, the
 * events it queues, the consumers that handle them), on every log line and, when tracing is on,
 * on every span and in the trace's baggage, so on-call can follow a payment from the API to its
 * consumers by one value (seed 003: "filter by `trace.flow_id` for disputes/payments").
 *
 * It is kept in an AsyncLocalStorage of its own so that logs carry it with tracing off too.
 * HTTP: taken from the request header `x-flow-id` (1–128 characters of `A-Za-z0-9._:-`), else
 * from the W3C `baggage` entry `flow_id`, else made up (a UUID), and echoed in the response.
 * Kafka: the outbox stores it (header `flow-id`) with the W3C trace context of the request
 * (`traceparent`, `baggage`) and the kit's consumer restores it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { requestIdFrom } from "./request-id";

/** The HTTP request and response header carrying the flow id. */
export const flowIdHttpHeader = "x-flow-id";
/** The Kafka message (and outbox row) header carrying the flow id. */
export const flowIdMessageHeader = "flow-id";
/** The span attribute, baggage entry and log field naming the flow. */
export const flowIdAttribute = "flow_id";

const flows = new AsyncLocalStorage<string>();

/** The flow id of the work in progress, if any. */
export function currentFlowId(): string | undefined {
  return flows.getStore();
}

/** The flow id carried by an OpenTelemetry context's baggage, if any. */
export function baggageFlowId(carrier = context.active()): string | undefined {
  return propagation.getBaggage(carrier)?.getEntry(flowIdAttribute)?.value;
}

/**
 * Run `fn` as part of flow `flowId`: logs carry it, and with tracing on the active span gets the
 * attribute and the context the baggage entry (so what `fn` sends on carries it too).
 */
export function runInFlow<T>(flowId: string, fn: () => T): T {
  trace.getActiveSpan()?.setAttribute(flowIdAttribute, flowId);
  const active = context.active();
  const baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  const withFlow = propagation.setBaggage(
    active,
    baggage.setEntry(flowIdAttribute, { value: flowId }),
  );
  return flows.run(flowId, () => context.with(withFlow, fn));
}

/** Hono middleware: the request's flow id (see the module), echoed as `x-flow-id`. */
export function flowId(): MiddlewareHandler {
  return async function flowIdMiddleware(c, next) {
    const id = requestIdFrom(c.req.header(flowIdHttpHeader) ?? baggageFlowId());
    c.header(flowIdHttpHeader, id);
    await runInFlow(id, next);
    c.res.headers.set(flowIdHttpHeader, id);
  };
}

/**
 * Headers that carry the current flow and trace context to whoever consumes an event queued
 * now: `flow-id`, and with tracing on `traceparent` (and `tracestate`, `baggage`).
 */
export function flowHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const id = currentFlowId();
  if (id !== undefined) headers[flowIdMessageHeader] = id;
  propagation.inject(context.active(), headers);
  return headers;
}

/** The trace context that `headers` (from {@link flowHeaders}) carry; the root context if none. */
export function contextOfHeaders(headers: Readonly<Record<string, string>>) {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * Run `fn` in the flow a consumed message belongs to: its `flow-id` header, else the baggage
 * of the context the tracing instrumentation restored, else a new flow.
 */
export function runInMessageFlow<T>(headers: Readonly<Record<string, string>>, fn: () => T): T {
  return runInFlow(requestIdFrom(headers[flowIdMessageHeader] ?? baggageFlowId()), fn);
}
