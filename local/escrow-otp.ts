/**
 * @module `npx tsx local/escrow-otp.ts <otpauth file>`: prints the current six-digit code of an
 * escrow demo user's authenticator (the file `npm start` wrote), what a phone's app would show.
 * A missing or unreadable file is one line on stderr and exit 2.
 */
import { readFileSync } from "node:fs";
import { currentCode } from "./escrow-logins";

const [path] = process.argv.slice(2);
try {
  if (path === undefined) throw new Error("usage: npx tsx local/escrow-otp.ts <otpauth file>");
  console.log(currentCode(readFileSync(path, "utf8")));
} catch (error) {
  console.error(`escrow-otp: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
