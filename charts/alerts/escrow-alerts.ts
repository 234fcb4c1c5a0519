/**
 * @module The escrow service's alerts, from seed 004's "Monitoring Alerts": failed payouts
 * (immediately), database errors above `databaseErrorsPerMinute`, every admin release or
 * refund, the credential vault failing to open (P0 "credential decryption failing"), webhooks
 * refused (P1 "webhook processing issues"), OTP success below `otpSuccessRatioMin`, unusual
 * login patterns (many failed logins), and funds held past `stuckEscrowDays`. The seed's
 * error rate and p95 alerts are the kit's HttpErrorRateHigh and HttpLatencyP95High, which
 * cover escrow with every service.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { type AlertRuleProps, alertRule } from "./alert-rule";
import { fixedAlertThresholds } from "./fixed-thresholds";

export const escrowComponent = "escrow";

const scope = 'service="escrow"';
const by = "namespace, service";
const fixed = fixedAlertThresholds.escrow;

type Thresholds = Environment["alerts"];
type EscrowAlert = Omit<AlertRuleProps, "component">;

const increase = (selector: string, window: string, labels = by) =>
  `sum by (${labels}) (increase(${selector}[${window}]))`;

function payoutFailed(): EscrowAlert {
  return {
    name: "EscrowPayoutFailed",
    severity: "critical",
    expr: `${increase(`escrow_payouts_total{${scope},result="failed"}`, fixed.signalWindow)} > 0`,
    summary: "A seller payout failed at the provider.",
    description: `{{ $value | printf "%.0f" }} seller payouts of {{ $labels.service }} in {{ $labels.namespace }} failed in the last ${fixed.signalWindow}; the money is back in the sellers' wallets. Check the provider's transfer logs.`,
  };
}

function databaseErrors(thresholds: Thresholds): EscrowAlert {
  const perMinute = thresholds.databaseErrorsPerMinute;
  const errors = `escrow_database_errors_total{${scope}}`;
  return {
    name: "EscrowDatabaseErrors",
    severity: "critical",
    expr: `sum by (${by}) (rate(${errors}[${fixed.databaseErrorWindow}])) * 60 > ${perMinute}`,
    summary: "Escrow requests are failing on the database.",
    description: `{{ $labels.service }} in {{ $labels.namespace }} sees {{ $value | printf "%.1f" }} database errors a minute (threshold ${perMinute}). Check the PostgreSQL cluster and the service's logs.`,
  };
}

function adminFundsMoved(): EscrowAlert {
  const actions = `escrow_admin_actions_total{${scope}}`;
  return {
    name: "EscrowAdminFundsMoved",
    severity: "critical",
    expr: `${increase(actions, fixed.signalWindow, `${by}, action, via`)} > 0`,
    summary: "An admin released or refunded escrowed funds.",
    description: `{{ $value | printf "%.0f" }} forced {{ $labels.action }} by {{ $labels.via }} in {{ $labels.service }} ({{ $labels.namespace }}) in the last ${fixed.signalWindow}. Check it against its ticket in the audit log.`,
  };
}

function vaultCannotOpen(): EscrowAlert {
  const failed = `escrow_credential_reveals_total{${scope},outcome="failed"}`;
  return {
    name: "EscrowVaultCannotOpen",
    severity: "critical",
    expr: `${increase(failed, fixed.signalWindow)} > 0`,
    summary: "The credential vault cannot open sealed credentials.",
    description: `{{ $value | printf "%.0f" }} reveals in {{ $labels.service }} ({{ $labels.namespace }}) failed to open in the last ${fixed.signalWindow}: the vault pepper is wrong or rows changed. Never change the pepper in place.`,
  };
}

function webhooksRefused(): EscrowAlert {
  const refused = `escrow_webhooks_total{${scope},outcome=~"bad_signature|mismatch|refused"}`;
  return {
    name: "EscrowWebhooksRefused",
    severity: "warning",
    expr: `${increase(refused, fixed.signalWindow, `${by}, outcome`)} > 0`,
    summary: "Provider webhooks are being refused.",
    description: `{{ $value | printf "%.0f" }} provider webhooks to {{ $labels.service }} ({{ $labels.namespace }}) were refused as {{ $labels.outcome }} in the last ${fixed.signalWindow}.`,
  };
}

function otpSuccessLow(thresholds: Thresholds): EscrowAlert {
  const ratio = thresholds.otpSuccessRatioMin;
  const verifications = `escrow_otp_verifications_total{${scope}}`;
  const success = increase(
    `escrow_otp_verifications_total{${scope},outcome="success"}`,
    fixed.otpWindow,
  );
  const total = increase(verifications, fixed.otpWindow);
  return {
    name: "EscrowOtpSuccessRateLow",
    severity: "warning",
    expr: `(${success} / ${total}) < ${ratio}\nand ${total} >= ${fixed.otpMinimum}`,
    summary: "Too few OTP verifications succeed.",
    description: `Only {{ $value | humanizePercentage }} of OTP verifications in {{ $labels.service }} ({{ $labels.namespace }}) succeeded over ${fixed.otpWindow} (threshold ${Math.round(ratio * 100)}%). Check the clock of the replicas and the failure outcomes.`,
  };
}

function unusualLogins(): EscrowAlert {
  const failures = `escrow_login_failures_total{${scope}}`;
  return {
    name: "EscrowUnusualLoginPatterns",
    severity: "warning",
    expr: `${increase(failures, fixed.loginWindow)} >= ${fixed.loginFailures}`,
    summary: "Many logins are failing.",
    description: `{{ $value | printf "%.0f" }} logins to {{ $labels.service }} ({{ $labels.namespace }}) failed in ${fixed.loginWindow} (threshold ${fixed.loginFailures}): guessing or credential stuffing? See the reasons on the Escrow dashboard.`,
  };
}

function stuckTransactions(thresholds: Thresholds): EscrowAlert {
  const days = thresholds.stuckEscrowDays;
  return {
    name: "EscrowStuckTransactions",
    severity: "warning",
    expr: `sum by (${by}) (max by (${by}, band) (escrow_stuck_transactions{${scope}})) > 0`,
    forDuration: fixed.stuckSustained,
    summary: "Escrowed funds have been held longer than the runbook allows.",
    description: `{{ $value }} transactions of {{ $labels.service }} in {{ $labels.namespace }} have held funds for more than ${days} days. Resolve each: release or refund.`,
  };
}

/** The escrow alert group for `environment`. */
export function escrowAlerts(environment: Environment): AlertGroup {
  const thresholds = environment.alerts;
  const rules = [
    payoutFailed(),
    databaseErrors(thresholds),
    adminFundsMoved(),
    vaultCannotOpen(),
    webhooksRefused(),
    otpSuccessLow(thresholds),
    unusualLogins(),
    stuckTransactions(thresholds),
  ].map((props) => alertRule({ ...props, component: escrowComponent }, environment.gitops));
  return { component: escrowComponent, name: `breakwater.${escrowComponent}`, rules };
}
