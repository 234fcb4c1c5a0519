/**
 * @module CPU time of the processes a benchmark drives, read from Linux's /proc, so a result
 * can say where the time went (client, service, database) and not only how fast it was.
 * Times are in milliseconds of CPU (user + system); 100 clock ticks per second, as on every
 * Linux the harness runs on.
 */
import { readdirSync, readFileSync } from "node:fs";

const msPerTick = 10;

interface Stat {
  readonly ppid: number;
  readonly ticks: number;
  /** CPU of children that have already been waited for (exited backends). */
  readonly childTicks: number;
}

function stat(pid: string): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone between listing and reading
  }
  // The command name may hold spaces and parentheses; the fields after its last ")" do not.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 of proc(5): state; ppid is field 4, utime..cstime fields 14-17.
  return {
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
    childTicks: Number(fields[13]) + Number(fields[14]),
  };
}

/** CPU milliseconds used so far by one process. */
export function processCpuMs(pid: number): number {
  return (stat(String(pid))?.ticks ?? 0) * msPerTick;
}

/**
 * CPU milliseconds used so far by a process and its children, live or already reaped: a
 * PostgreSQL server is the postmaster and its backends. (Backends each lead their own
 * process group, so the group would miss them.)
 */
export function treeCpuMs(parent: number): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const found = stat(pid);
    if (found === undefined) continue;
    if (Number(pid) === parent) ticks += found.ticks + found.childTicks;
    else if (found.ppid === parent) ticks += found.ticks;
  }
  return ticks * msPerTick;
}

/** CPU milliseconds used so far by this process. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
