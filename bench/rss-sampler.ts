/**
 * Samples a process's resident set size every 100 ms from /proc/<pid>/status (Linux only) and
 * keeps the peak. VmHWM, the kernel's own peak, is read once at the end as a cross-check.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const INTERVAL_MS = 100;
/** Thirty minutes of samples; the sampler stops by itself after that. */
const MAX_SAMPLES = 18_000;

export interface MemoryPeak {
  /** Highest VmRSS sampled, in MB (10^6 bytes). */
  peakRssMB: number;
  /** VmHWM when sampling stopped, in MB. */
  hwmMB: number;
  samples: number;
}

/** Reads a `Vm...` field of /proc/<pid>/status (KiB there) as MB; NaN once the process is gone. */
export async function readStatusMB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return NaN;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? (Number(match[1]) * 1024) / 1e6 : NaN;
}

export class RssSampler {
  private stopped = false;
  private peakRssMB = 0;
  private samples = 0;
  private loop?: Promise<void>;

  constructor(private readonly pid: number) {}

  start(): void {
    this.loop = this.sampleUntilStopped();
  }

  /** Stops sampling and returns the peak; call it before the process exits, for VmHWM. */
  async stop(): Promise<MemoryPeak> {
    this.stopped = true;
    await this.loop;
    const hwmMB = await readStatusMB(this.pid, 'VmHWM');
    return { peakRssMB: this.peakRssMB, hwmMB, samples: this.samples };
  }

  private async sampleUntilStopped(): Promise<void> {
    while (!this.stopped && this.samples < MAX_SAMPLES) {
      const rss = await readStatusMB(this.pid, 'VmRSS');
      if (!Number.isNaN(rss)) this.peakRssMB = Math.max(this.peakRssMB, rss);
      this.samples += 1;
      await sleep(INTERVAL_MS);
    }
  }
}
