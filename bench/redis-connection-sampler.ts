/**
 * Counts one process's Redis connections every 100 ms, two ways: by client name in
 * `CLIENT LIST` (the API names its connections `<KEY_PREFIX>:api...`), and by the process's own
 * TCP sockets to Redis (from `ss -tnp`) matched against the `addr` field of `CLIENT LIST`.
 * The second count catches connections opened without the name, such as ones BullMQ opens or
 * renames.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';

const run = promisify(execFile);
const INTERVAL_MS = 100;
/** Ten minutes of samples; the sampler stops by itself after that. */
const MAX_SAMPLES = 6_000;

export interface ConnectionCounts {
  maxByName: number;
  maxByPort: number;
  samples: number;
}

interface ClientEntry {
  addr: string;
  name: string;
}

function parseClientList(text: string): ClientEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = new Map(line.split(' ').map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)] as const;
      }));
      return { addr: fields.get('addr') ?? '', name: fields.get('name') ?? '' };
    });
}

/** Returns the local addresses (`ip:port`) of `pid`'s established TCP sockets to `redisPort`. */
async function localAddressesToRedis(pid: number, redisPort: number): Promise<Set<string>> {
  const filter = `( dport = :${redisPort} )`;
  const { stdout } = await run('ss', ['-Htnp', 'state', 'established', filter]);
  const addresses = new Set<string>();
  for (const line of stdout.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    // With a state filter the columns are Recv-Q, Send-Q, local address, peer address, process.
    const columns = line.trim().split(/\s+/);
    // ss writes IPv6 addresses in brackets, CLIENT LIST without them.
    if (columns[2] !== undefined) addresses.add(columns[2].replace(/^\[(.*)\]:/, '$1:'));
  }
  return addresses;
}

/** Samples until `stop` is called or MAX_SAMPLES is reached. */
export class RedisConnectionSampler {
  private stopped = false;
  private counts: ConnectionCounts = { maxByName: 0, maxByPort: 0, samples: 0 };
  private loop?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly namePrefix: string,
    private readonly pid: number,
    private readonly redisPort: number,
  ) {}

  start(): void {
    this.loop = this.sampleUntilStopped();
    // stop() reports a failed sample; this keeps it from crashing the bench before then.
    this.loop.catch(() => undefined);
  }

  async stop(): Promise<ConnectionCounts> {
    this.stopped = true;
    await this.loop;
    return { ...this.counts };
  }

  private async sampleUntilStopped(): Promise<void> {
    while (!this.stopped && this.counts.samples < MAX_SAMPLES) {
      await this.sampleOnce();
      await sleep(INTERVAL_MS);
    }
  }

  private async sampleOnce(): Promise<void> {
    const [list, local] = await Promise.all([
      this.redis.client('LIST') as Promise<string>,
      localAddressesToRedis(this.pid, this.redisPort),
    ]);
    const clients = parseClientList(list);
    const byName = clients.filter((client) => client.name.startsWith(this.namePrefix)).length;
    const byPort = clients.filter((client) => local.has(client.addr)).length;
    this.counts = {
      maxByName: Math.max(this.counts.maxByName, byName),
      maxByPort: Math.max(this.counts.maxByPort, byPort),
      samples: this.counts.samples + 1,
    };
  }
}
