/**
 * @module The market data settings in force on a replica: the configured ones, tightened
 * field by field by every active EdgeDegradation (the longest conflation window, the lowest
 * depth, the fewest subscription operations), so lifting a control restores the config.
 */
import { edgeDegradation } from "../../operators/crds/edge-degradation";
import { specOf } from "../kit/control-kinds";
import type { Controls } from "../kit/controls";
import type { EdgeConfig } from "./config";

export interface EdgeSettings {
  readonly conflationMs: number;
  /** The deepest book a subscription gets. */
  readonly bookDepthMax: number;
  /** The depth of a subscription that names none. */
  readonly bookDepthDefault: number;
  readonly subscriptionsPerSecond: number;
  /** The controls tightening these settings, by id (empty when none). */
  readonly degradedBy: readonly string[];
}

export function configuredSettings(config: EdgeConfig): EdgeSettings {
  return {
    conflationMs: config.EDGE_CONFLATION_MS,
    bookDepthMax: config.EDGE_BOOK_DEPTH_MAX,
    bookDepthDefault: Math.min(config.EDGE_BOOK_DEPTH, config.EDGE_BOOK_DEPTH_MAX),
    subscriptionsPerSecond: config.EDGE_SUBSCRIPTIONS_PER_SECOND,
    degradedBy: [],
  };
}

/**
 * The settings in force. Market data carries no money: when the replica cannot read its
 * controls it keeps the last settings it computed instead of refusing to serve.
 */
export function settingsInForce(
  config: EdgeConfig,
  controls: Controls,
  previous: EdgeSettings,
): EdgeSettings {
  try {
    return tightened(configuredSettings(config), controls.active(edgeDegradation.kind));
  } catch {
    return previous;
  }
}

function tightened(configured: EdgeSettings, active: ReturnType<Controls["active"]>): EdgeSettings {
  let settings = configured;
  for (const control of active) {
    const spec = specOf(edgeDegradation.spec, control);
    settings = {
      conflationMs: Math.max(settings.conflationMs, spec.conflationMs),
      bookDepthMax: Math.min(settings.bookDepthMax, spec.bookDepth),
      bookDepthDefault: Math.min(settings.bookDepthDefault, spec.bookDepth),
      subscriptionsPerSecond: Math.min(
        settings.subscriptionsPerSecond,
        spec.subscriptionsPerSecond,
      ),
      degradedBy: [...settings.degradedBy, control.id],
    };
  }
  return settings;
}
