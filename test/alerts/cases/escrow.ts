/**
 * @module promtool cases for escrow's alerts (seed 004): a failed payout at once, database
 * errors above 5 a minute, every admin release or refund, the vault failing to open, refused
 * webhooks, OTP success under 95% with enough verifications, many failed logins, and funds
 * held past stuckEscrowDays; each also where it must not fire.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

const escrow = { namespace: "breakwater-services", service: "escrow" } as const;

function counter(name: string, labels: Record<string, string>, values: string) {
  return { series: series(name, { ...escrow, ...labels }), values };
}

function quietAndFiring(
  group: AlertGroup,
  name: string,
  fires: { at: string; labels?: Record<string, string>; description: string },
  quiet: { at: string },
) {
  const rule = ruleNamed(group, name);
  return [
    { eval_time: quiet.at, alertname: rule.name, exp_alerts: [] },
    {
      eval_time: fires.at,
      alertname: rule.name,
      exp_alerts: [firing(rule, { ...escrow, ...fires.labels }, fires.description)],
    },
  ];
}

function moneyCases(group: AlertGroup): RuleCase[] {
  return [
    {
      name: "EscrowPayoutFailed fires on the first failed payout and not on sent ones",
      input_series: [
        counter("escrow_payouts_total", { result: "sent" }, "0+5x30"),
        counter("escrow_payouts_total", { result: "failed" }, "0x10 1x20"),
      ],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowPayoutFailed",
        {
          at: "12m",
          description:
            "1 seller payouts of escrow in breakwater-services failed in the last 5m; the money is back in the sellers' wallets. Check the provider's transfer logs.",
        },
        { at: "9m" },
      ),
    },
    {
      name: "EscrowAdminFundsMoved fires on an admin refund and goes quiet after",
      input_series: [
        counter("escrow_admin_actions_total", { action: "refund", via: "admin" }, "0x10 1x30"),
      ],
      alert_rule_test: [
        ...quietAndFiring(
          group,
          "EscrowAdminFundsMoved",
          {
            at: "12m",
            labels: { action: "refund", via: "admin" },
            description:
              "1 forced refund by admin in escrow (breakwater-services) in the last 5m. Check it against its ticket in the audit log.",
          },
          { at: "9m" },
        ),
        { eval_time: "30m", alertname: "EscrowAdminFundsMoved", exp_alerts: [] },
      ],
    },
    {
      name: "EscrowVaultCannotOpen fires when a reveal fails to open, not on refused reveals",
      input_series: [
        counter("escrow_credential_reveals_total", { outcome: "refused" }, "0+2x30"),
        counter("escrow_credential_reveals_total", { outcome: "failed" }, "0x10 2x20"),
      ],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowVaultCannotOpen",
        {
          at: "12m",
          description:
            "2 reveals in escrow (breakwater-services) failed to open in the last 5m: the vault pepper is wrong or rows changed. Never change the pepper in place.",
        },
        { at: "9m" },
      ),
    },
    {
      name: "EscrowStuckTransactions fires once funds stay held past the limit for 15m",
      input_series: [
        counter("escrow_stuck_transactions", { band: "under_100" }, "0x10 2x30"),
        counter("escrow_stuck_transactions", { band: "over_10000" }, "0x10 1x30"),
      ],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowStuckTransactions",
        {
          at: "30m",
          description:
            "3 transactions of escrow in breakwater-services have held funds for more than 7 days. Resolve each: release or refund.",
        },
        { at: "20m" },
      ),
    },
  ];
}

function serviceCases(group: AlertGroup): RuleCase[] {
  return [
    {
      name: "EscrowDatabaseErrors fires above 5 errors a minute, not at 3",
      input_series: [counter("escrow_database_errors_total", { kind: "query" }, "0+3x10 30+10x20")],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowDatabaseErrors",
        {
          at: "20m",
          description:
            "escrow in breakwater-services sees 10.0 database errors a minute (threshold 5). Check the PostgreSQL cluster and the service's logs.",
        },
        { at: "9m" },
      ),
    },
    {
      name: "EscrowWebhooksRefused fires on bad signatures, not on applied deliveries",
      input_series: [
        counter("escrow_webhooks_total", { event: "charge.success", outcome: "applied" }, "0+4x30"),
        counter(
          "escrow_webhooks_total",
          { event: "unknown", outcome: "bad_signature" },
          "0x10 3x20",
        ),
      ],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowWebhooksRefused",
        {
          at: "12m",
          labels: { outcome: "bad_signature" },
          description:
            "3 provider webhooks to escrow (breakwater-services) were refused as bad_signature in the last 5m.",
        },
        { at: "9m" },
      ),
    },
  ];
}

function loginCases(group: AlertGroup): RuleCase[] {
  const otp = (outcome: string, values: string) =>
    counter("escrow_otp_verifications_total", { outcome }, values);
  return [
    {
      name: "EscrowOtpSuccessRateLow fires when 80% of OTPs succeed",
      input_series: [otp("success", "0+8x40"), otp("invalid", "0+2x40")],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowOtpSuccessRateLow",
        {
          at: "30m",
          description:
            "Only 80% of OTP verifications in escrow (breakwater-services) succeeded over 15m (threshold 95%). Check the clock of the replicas and the failure outcomes.",
        },
        { at: "1m" },
      ),
    },
    {
      name: "EscrowOtpSuccessRateLow stays quiet at 98%, and with too few verifications",
      input_series: [otp("success", "0+49x40"), otp("invalid", "0+1x40"), otp("expired", "0x40")],
      alert_rule_test: [{ eval_time: "30m", alertname: "EscrowOtpSuccessRateLow", exp_alerts: [] }],
    },
    {
      name: "EscrowOtpSuccessRateLow stays quiet when one of two codes a quarter hour fails",
      input_series: [otp("success", "0+1x40"), otp("invalid", "0+1x40")],
      interval: "15m",
      alert_rule_test: [
        { eval_time: "300m", alertname: "EscrowOtpSuccessRateLow", exp_alerts: [] },
      ],
    },
    {
      name: "EscrowUnusualLoginPatterns fires at 30 failed logins in 10m, not at a few",
      input_series: [
        counter("escrow_login_failures_total", { reason: "bad_password" }, "0+1x10 10+3x20"),
        counter("escrow_login_failures_total", { reason: "unknown_user" }, "0x30"),
      ],
      alert_rule_test: quietAndFiring(
        group,
        "EscrowUnusualLoginPatterns",
        {
          at: "25m",
          description:
            "30 logins to escrow (breakwater-services) failed in 10m (threshold 20): guessing or credential stuffing? See the reasons on the Escrow dashboard.",
        },
        { at: "9m" },
      ),
    },
  ];
}

export function escrowCases(group: AlertGroup): RuleCase[] {
  return [...moneyCases(group), ...serviceCases(group), ...loginCases(group)];
}
