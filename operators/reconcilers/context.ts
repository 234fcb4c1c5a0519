/** @module What every reconciler is given: writes to its objects, Events, logs, a clock. */
import type { Logger } from "pino";
import type { ControlClient } from "../runtime/control-client";
import type { EventRecorder } from "../runtime/events";

export interface ReconcilerContext {
  readonly client: ControlClient;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly now: () => Date;
}
