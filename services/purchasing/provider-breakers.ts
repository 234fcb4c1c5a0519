/**
 * @module One circuit breaker per provider, from cockatiel. A breaker opens on
 * `BREAKER_CONSECUTIVE_FAILURES` failures in a row or when `BREAKER_FAILURE_RATIO` of the
 * last `BREAKER_WINDOW_CALLS` calls failed; only {@link ProviderFault}s count (429, 5xx,
 * unreachable, timeouts), a decline (4xx) is the provider working. Open, it refuses calls
 * for `BREAKER_OPEN_MS` (15 s), then lets one trial through (HALF-OPEN): success closes it,
 * failure opens it again. Each change is a log line (`Circuit OPEN for <provider>`) and a
 * metric (`provider_circuit_state`, `provider_circuit_transitions_total`).
 *
 * The state is per replica, on purpose: each replica judges a provider by the calls it makes
 * itself, so a replica cut off from one provider does not take it away from the others, the
 * request path needs no shared store (a Redis outage cannot stop routing), and the cost is
 * small: with N replicas a dead provider sees at most N times the failures before every
 * breaker is open. On-call acts for the whole fleet with ProviderDisable.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  circuitBreaker,
  handleType,
  type IBreaker,
} from "cockatiel";
import type { Logger } from "../kit/logger";
import { ProviderFault } from "./provider-client";
import {
  type BreakerStateName,
  breakerStateValue,
  type PurchasingMetrics,
} from "./purchasing-metrics";

export interface BreakerSettings {
  readonly openMs: number;
  readonly consecutiveFailures: number;
  readonly failureRatio: number;
  readonly windowCalls: number;
}

/** Opens when either library breaker would: failures in a row, or too many in the window. */
class EitherBreaker implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}

  get state(): unknown {
    return this.breakers.map((breaker) => breaker.state);
  }

  set state(value: unknown) {
    const states = value as unknown[];
    this.breakers.forEach((breaker, index) => {
      breaker.state = states[index];
    });
  }

  success(state: CircuitState): void {
    for (const breaker of this.breakers) breaker.success(state);
  }

  failure(state: CircuitState): boolean {
    // Every breaker records the failure; any of them may open the circuit.
    return this.breakers.map((breaker) => breaker.failure(state)).some(Boolean);
  }
}

const stateNames: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "open",
};

const logWords: Record<BreakerStateName, string> = {
  closed: "CLOSED",
  half_open: "HALF-OPEN",
  open: "OPEN",
};

/** The breakers of one replica, created on first use of each provider. */
export interface ProviderBreakers {
  /** Run `call` through `provider`'s breaker; throws {@link BrokenCircuitError} while open. */
  execute<T>(provider: string, call: () => Promise<T>): Promise<T>;
  /** The breaker's state for status pages and tests. */
  state(provider: string): BreakerStateName;
}

export function createProviderBreakers(
  settings: BreakerSettings,
  metrics: PurchasingMetrics,
  logger: Logger,
): ProviderBreakers {
  const policies = new Map<string, CircuitBreakerPolicy>();
  function policyOf(provider: string): CircuitBreakerPolicy {
    let policy = policies.get(provider);
    if (policy !== undefined) return policy;
    policy = circuitBreaker(handleType(ProviderFault), {
      halfOpenAfter: settings.openMs,
      breaker: new EitherBreaker([
        new ConsecutiveBreaker(settings.consecutiveFailures),
        new CountBreaker({ threshold: settings.failureRatio, size: settings.windowCalls }),
      ]),
    });
    policy.onStateChange((state) => {
      const name = stateNames[state];
      metrics.circuitState.set({ provider }, breakerStateValue[name]);
      metrics.circuitTransitions.inc({ provider, state: name });
      const line = `Circuit ${logWords[name]} for ${provider}`;
      if (name === "open") logger.warn({ provider, circuit: name }, line);
      else logger.info({ provider, circuit: name }, line);
    });
    metrics.circuitState.set({ provider }, breakerStateValue.closed);
    policies.set(provider, policy);
    return policy;
  }
  return {
    execute: (provider, call) => policyOf(provider).execute(call),
    state: (provider) => stateNames[policyOf(provider).state],
  };
}

export { BrokenCircuitError };
