/**
 * @module Requests Node's HTTP parser refuses before any handler runs (an unknown method, a
 * bad `Content-Length`, headers too large, a NUL or control character in a header) answered
 * as RFC 9457 problem+json instead of Node's empty-bodied default, then the connection
 * closes (the parser cannot find where the next request would start). Node lets the server
 * answer only while nothing was sent on the socket yet; otherwise it is just closed.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "./logger";
import { problemContentType, problemType } from "./problem";

interface Refusal {
  readonly status: number;
  readonly reason: string;
  readonly type: string;
  readonly title: string;
}

/** What each parser error becomes; anything else is a 400 `request/malformed`. */
function refusalFor(code: string | undefined): Refusal {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        reason: "Request Header Fields Too Large",
        type: "request/headers-too-large",
        title: "Request headers too large",
      };
    case "HPE_INVALID_METHOD":
      // RFC 9110 §9.1: a method the server does not recognize is 501.
      return {
        status: 501,
        reason: "Not Implemented",
        type: "request/method-not-implemented",
        title: "Request method not recognized",
      };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        status: 408,
        reason: "Request Timeout",
        type: "request/timeout",
        title: "Request not received in time",
      };
    default:
      return {
        status: 400,
        reason: "Bad Request",
        type: "request/malformed",
        title: "Malformed request",
      };
  }
}

/** Why the parser refused, without echoing the request (it may carry credentials). */
function detailFor(code: string | undefined): string {
  const reasons: Record<string, string> = {
    HPE_HEADER_OVERFLOW: "the request's headers exceed the server's limit",
    HPE_INVALID_METHOD: "the request method is not one HTTP defines",
    HPE_INVALID_CONTENT_LENGTH: "Content-Length is not a single non-negative integer",
    HPE_UNEXPECTED_CONTENT_LENGTH: "Content-Length and Transfer-Encoding were both sent",
    HPE_INVALID_HEADER_TOKEN: "a header name or value holds a character HTTP does not allow",
    HPE_INVALID_TRANSFER_ENCODING: "Transfer-Encoding is not one the server accepts",
    HPE_INVALID_CHUNK_SIZE: "a chunk size of the chunked body is not valid",
    ERR_HTTP_REQUEST_TIMEOUT: "the request was not received in time",
  };
  return reasons[code ?? ""] ?? "the request is not valid HTTP/1.1";
}

/** The raw HTTP response for a parser error (status line, headers, problem body). */
export function transportProblemResponse(code: string | undefined): string {
  const refusal = refusalFor(code);
  const body = JSON.stringify({
    type: problemType(refusal.type),
    title: refusal.title,
    status: refusal.status,
    detail: detailFor(code),
  });
  return [
    `HTTP/1.1 ${refusal.status} ${refusal.reason}`,
    `content-type: ${problemContentType}`,
    `content-length: ${Buffer.byteLength(body)}`,
    "connection: close",
    "",
    body,
  ].join("\r\n");
}

/**
 * Answer parser errors on `server` with problem+json.
 *
 * @example answerTransportErrors(server, logger);
 */
export function answerTransportErrors(server: Server, logger?: Logger): void {
  server.on("clientError", (error: Error & { code?: string }, socket: Socket) => {
    // A response already started on this socket (keep-alive), or the peer is gone: close only.
    const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || started?.headersSent) {
      socket.destroy();
      return;
    }
    logger?.debug({ code: error.code }, "request refused by the HTTP parser");
    socket.end(transportProblemResponse(error.code));
  });
}
