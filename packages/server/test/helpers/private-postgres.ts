import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The directory holding initdb and pg_ctl of the newest PostgreSQL installed (Debian keeps them off the PATH). */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  return undefined;
}

/** Whether this machine can run a private PostgreSQL cluster for a test. */
export const canRunPrivatePostgres = postgresBin() !== undefined;

/**
 * A throw-away PostgreSQL cluster of the test's own, on its own port: tests
 * that stop the database stop this one, never the machine's shared server.
 * PostgreSQL refuses to run as root, so as root the cluster belongs to the
 * `postgres` user.
 */
export class PrivatePostgres {
  readonly url: string;
  private readonly dir: string;
  private readonly bin: string;
  private readonly asUser: string[];

  private constructor(readonly port: number) {
    const bin = postgresBin();
    if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    this.bin = bin;
    this.dir = mkdtempSync(join(tmpdir(), 'chatsdk-pg-'));
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this.asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    if (this.asUser.length > 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chmodSync(this.dir, 0o700);
      chownSync(this.dir, uid, gid);
    }
  }

  /** Creates the cluster without starting it: its port is known, and nothing answers there yet. */
  static async create(): Promise<PrivatePostgres> {
    const db = new PrivatePostgres(await freePort());
    db.run('initdb', ['-D', db.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    return db;
  }

  /** Creates the cluster and starts it. */
  static async start(): Promise<PrivatePostgres> {
    const db = await PrivatePostgres.create();
    db.startServer();
    return db;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private run(tool: string, args: string[]): void {
    const [command = '', ...rest] = [...this.asUser, join(this.bin, tool), ...args];
    const result = spawnSync(command, rest, { encoding: 'utf8', cwd: tmpdir() });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  }

  private startServer(): void {
    // No fsync: the test is about the server going away, not about the disk.
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    this.run('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start']);
  }

  /** Stops the server at once, as a crash would: connections are cut mid-query. */
  crash(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  /** Starts the server (again) on the same port and data. */
  restart(): void {
    this.startServer();
  }

  /** Stops the server (if running) and removes its files. */
  destroy(): void {
    try {
      this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
