/**
 * @module Converts the environments' quantity strings (`250m`, `2`, `512Mi`) to cdk8s-plus
 * `Cpu` and `Size`, which only take numbers.
 */
import { Size } from "cdk8s";
import { Cpu } from "cdk8s-plus-27";

/** `250m` → 250 millicores; `2` or `0.5` → cores. */
export function cpu(quantity: string): Cpu {
  if (quantity.endsWith("m")) return Cpu.millis(Number(quantity.slice(0, -1)));
  const cores = Number(quantity);
  if (!Number.isFinite(cores)) throw new Error(`cpu: expected like 250m or 2, found ${quantity}`);
  return Number.isInteger(cores) ? Cpu.units(cores) : Cpu.millis(Math.round(cores * 1000));
}

const sizes: Record<string, (amount: number) => Size> = {
  Ki: Size.kibibytes,
  Mi: Size.mebibytes,
  Gi: Size.gibibytes,
  Ti: Size.tebibytes,
};

/** `512Mi` → 512 mebibytes. */
export function size(quantity: string): Size {
  const match = /^([1-9][0-9]*)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) throw new Error(`size: expected like 512Mi or 20Gi, found ${quantity}`);
  return sizes[match[2]!]!(Number(match[1]));
}
