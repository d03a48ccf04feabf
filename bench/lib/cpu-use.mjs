import { cpuSecondsBetween, cpuSecondsOf, machineCpuSeconds, processCpuSeconds } from './machine.mjs';
import { postgresPids } from './server.mjs';

/**
 * CPU counters at one instant: the server process, the PostgreSQL backends,
 * the load generators, the machine. Read one before and one after a phase.
 * @param {{ serverPid: number | undefined, dbPids?: number[], loadPids?: number[] }} who
 *   dbPids: PostgreSQL processes of the bench database (none for SQLite); loadPids: every bench process that makes load
 */
export function readCpu({ serverPid, dbPids = [], loadPids = [] }) {
  return {
    server: serverPid === undefined ? undefined : processCpuSeconds(serverPid),
    load: loadPids.reduce((a, pid) => a + (processCpuSeconds(pid) ?? 0), 0),
    postgres: dbPids.length > 0 ? cpuSecondsOf(dbPids) : undefined,
    machine: machineCpuSeconds(),
  };
}

/**
 * What each side used between two readings, and what the rest of the machine
 * used meanwhile: other work disturbing the phase.
 * @param {ReturnType<typeof readCpu>} before
 * @param {ReturnType<typeof readCpu>} after
 */
export function cpuUse(before, after) {
  const serverCpuSeconds = before.server !== undefined && after.server !== undefined ? after.server - before.server : undefined;
  const postgresCpuSeconds = before.postgres && after.postgres ? cpuSecondsBetween(before.postgres, after.postgres) : undefined;
  const loadCpuSeconds = after.load - before.load;
  const busy = before.machine && after.machine ? after.machine.busy - before.machine.busy : undefined;
  const total = before.machine && after.machine ? after.machine.total - before.machine.total : undefined;
  const softirqCpuSeconds = before.machine && after.machine ? after.machine.softirq - before.machine.softirq : undefined;
  return {
    serverCpuSeconds,
    postgresCpuSeconds,
    loadCpuSeconds,
    softirqCpuSeconds,
    machineBusy: busy !== undefined && total ? busy / total : undefined,
    // Softirq is left out: thousands of loopback sockets opening cost the kernel network work no process is charged for.
    otherCpuSeconds: busy === undefined ? undefined : busy - (softirqCpuSeconds ?? 0) - (serverCpuSeconds ?? 0) - (postgresCpuSeconds ?? 0) - loadCpuSeconds,
  };
}

/**
 * The PostgreSQL processes working for the bench's database, or none on SQLite.
 * The server's pool opens and closes backends (idle ones close after 10 s):
 * list them before and after each phase.
 * @param {'sqlite' | 'postgres'} store
 * @param {Record<string, string>} env
 * @returns {Promise<number[]>}
 */
export async function databasePids(store, env) {
  return store === 'postgres' && env.DATABASE_URL ? postgresPids(env.DATABASE_URL) : [];
}
