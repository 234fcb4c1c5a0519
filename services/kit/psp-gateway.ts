/**
 * @module The gateway adapter to a payment service provider (PSP): sends one payout over
 * HTTP and sorts the answer into what a payout worker can act on (payments' PSP, escrow's
 * Paystack-style transfers). Only a clear answer is
 * taken as success or failure; anything the PSP might or might not have executed is
 * ambiguous and goes to a human. The payout id travels as the PSP's idempotency reference,
 * so sending the same payout again can never pay twice.
 */

/** What the PSP is asked to pay. */
export interface PspPayoutRequest {
  /** Our payout id; the PSP executes each reference at most once. */
  readonly reference: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly destination: string;
}

/** What became of a send, as far as we can tell. */
export type PspOutcome =
  /** The PSP says the money left. */
  | { readonly kind: "sent"; readonly pspPayoutId: string }
  /** The PSP says it did not and will not pay. */
  | { readonly kind: "failed"; readonly reason: string }
  /** The PSP may or may not have paid: a human must find out. */
  | { readonly kind: "ambiguous"; readonly reason: string }
  /** The request never reached the PSP (or the PSP refused to look at it): try again later. */
  | { readonly kind: "unreachable"; readonly reason: string };

/** How one provider's API is spoken; payments' PSP is the default. */
export interface PspDialect {
  /** Path under the base URL that payouts are POSTed to. @default "/payouts" */
  readonly path: string;
  /** Extra request headers, e.g. the provider's `Authorization`. @default {} */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body sent for a request. @default the request, amount as a string */
  body(request: PspPayoutRequest): unknown;
  /** Sort a 2xx answer's parsed body (undefined when it is not a JSON object). */
  readSuccess(status: number, body: Record<string, unknown> | undefined): PspOutcome;
}

export interface PspGatewayOptions {
  /** `PSP_URL`, e.g. `https://psp.example/api`; payouts go to `<baseUrl><dialect.path>`. */
  readonly baseUrl: string;
  /** Give up waiting for an answer after this long; the send is then ambiguous. */
  readonly timeoutMs: number;
  /** The provider's API. @default payments' PSP ({@link pspDialect}) */
  readonly dialect?: PspDialect;
}

export interface PspGateway {
  send(request: PspPayoutRequest): Promise<PspOutcome>;
}

/** Errors that mean no byte of the request reached the PSP. */
const notConnectedCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * A gateway that POSTs JSON to `<baseUrl>/payouts` with an `Idempotency-Key` header.
 * @example createPspGateway({ baseUrl: "http://127.0.0.1:9000", timeoutMs: 5000 })
 */
export function createPspGateway(options: PspGatewayOptions): PspGateway {
  const dialect = options.dialect ?? pspDialect;
  const url = `${options.baseUrl.replace(/\/+$/, "")}${dialect.path}`;
  return {
    async send(request) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            ...dialect.headers,
            "content-type": "application/json",
            "idempotency-key": request.reference,
          },
          body: JSON.stringify(dialect.body(request)),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        return classifyResponse(response.status, await response.text(), dialect);
      } catch (error) {
        return classifyError(error, options.timeoutMs);
      }
    },
  };
}

/** Sort an HTTP answer from the PSP. Exported for its unit test. */
export function classifyResponse(
  status: number,
  text: string,
  dialect: Pick<PspDialect, "readSuccess"> = pspDialect,
): PspOutcome {
  const body = parseObject(text);
  if (status === 429) return { kind: "unreachable", reason: "PSP rate limited the request (429)" };
  if (status >= 200 && status < 300) return dialect.readSuccess(status, body);
  // 408 and 409 say nothing certain about whether an earlier attempt executed.
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) {
    return { kind: "failed", reason: `PSP declined (${status}): ${describe(body, text)}` };
  }
  return { kind: "ambiguous", reason: `PSP answered ${status}: ${describe(body, text)}` };
}

function classifySuccessBody(
  status: number,
  body: Record<string, unknown> | undefined,
): PspOutcome {
  if (body === undefined)
    return { kind: "ambiguous", reason: `PSP answered ${status} with a body that is not JSON` };
  if (body.status === "succeeded" && typeof body.id === "string" && body.id !== "") {
    return { kind: "sent", pspPayoutId: body.id };
  }
  if (body.status === "failed") {
    return {
      kind: "failed",
      reason: `PSP reported failure: ${String(body.reason ?? "no reason given")}`,
    };
  }
  return {
    kind: "ambiguous",
    reason: `PSP answered ${status} with status ${JSON.stringify(body.status)}`,
  };
}

/** Payments' PSP: `POST /payouts`, answered `{"status": "succeeded"|"failed", "id", "reason"}`. */
export const pspDialect: PspDialect = {
  path: "/payouts",
  headers: {},
  body: (request) => ({ ...request, amount: request.amount.toString() }),
  readSuccess: classifySuccessBody,
};

/** Sort a failure to get an answer. Exported for its unit test. */
export function classifyError(error: unknown, timeoutMs: number): PspOutcome {
  const name = (error as { name?: string }).name;
  if (name === "TimeoutError" || name === "AbortError") {
    return { kind: "ambiguous", reason: `no answer from the PSP within ${timeoutMs} ms` };
  }
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (code !== undefined && notConnectedCodes.has(code)) {
    return { kind: "unreachable", reason: `could not connect to the PSP (${code})` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "ambiguous", reason: `the PSP connection broke: ${code ?? message}` };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function describe(body: Record<string, unknown> | undefined, text: string): string {
  const reason = body?.reason ?? body?.error ?? body?.message;
  return typeof reason === "string" ? reason : text.slice(0, 200) || "(empty body)";
}
