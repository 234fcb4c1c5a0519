/**
 * @module What a program may print of a setting: one rule, used by the services' and the
 * operator's configuration loaders and by every start-up error line, so that no program
 * ever prints a password, token or key — not even one it was handed in a malformed value.
 */

/** Variables whose whole value is a credential (an admin token, a webhook secret, an API key...). */
const credentialName =
  /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|KEY|JWKS|AUTH|COOKIE|SESSION|PEPPER/i;

/** What stands in for a hidden value. */
export const hiddenValue = "(value hidden: it may hold a secret)";

/** Whether `variable` is named like a credential, so its value is never shown at all. */
export function isCredentialName(variable: string): boolean {
  return credentialName.test(variable);
}

const scheme = /^[a-z][a-z0-9+.-]*:\/*/i;
const parameter = /\b([a-z_]*(?:pass(?:word)?|token|secret|key))=[^&\s;'"]*/gi;

/**
 * `text` with every URL's userinfo replaced by `***` (also when the URL is malformed: all
 * between the scheme and the last `@` of the word) and every `password=`, `token=`,
 * `secret=` or `key=` parameter's value replaced by `***`.
 *
 * @example redactText("failed: postgres://app:hunter2@db/app") // "failed: postgres://***@db/app"
 */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/*)\S*@/gi, "$1***@").replace(parameter, "$1=***");
}

/**
 * One setting's `value` with its userinfo redacted: everything between the scheme and the
 * value's last `@`, so a password holding spaces or slashes is hidden as well.
 */
export function redactValue(value: string): string {
  const at = value.lastIndexOf("@");
  const withoutUserinfo = at < 0 ? value : `${scheme.exec(value)?.[0] ?? ""}***${value.slice(at)}`;
  return withoutUserinfo.replace(parameter, "$1=***");
}

/**
 * How a configuration error shows `value` of `variable`: hidden entirely for a credential
 * name, otherwise quoted with any userinfo or password parameter redacted.
 */
export function shownValue(variable: string, value: string): string {
  if (isCredentialName(variable)) return hiddenValue;
  const redacted = redactValue(value);
  return redacted === value
    ? JSON.stringify(value)
    : `${JSON.stringify(redacted)} (password hidden)`;
}
