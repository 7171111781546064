/**
 * Measures how much a 10,000-number submission slows single-number requests
 * served at the same time. The API runs as its own process with no worker,
 * so the figures show the API's event loop, not the queue.
 *
 * Run: npx tsx bench/large-request.ts
 */
import { performance } from 'node:perf_hooks';
import {
  benchEnvironment,
  benchNumbers,
  deletePrefix,
  freePort,
  percentile,
  seedProject,
  startServiceProcess,
  stopProcess,
  waitForHttp,
} from './bench-support.js';

const LARGE = 10_000;
const SAMPLES = 200;

async function singleRequestLatencies(url: string, auth: string, count: number, start: number, stop?: () => boolean) {
  const latencies: number[] = [];
  for (let i = 0; i < count && !(stop?.() ?? false); i++) {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: auth, prefer: 'respond-async' },
      body: JSON.stringify({ app_id: 'app1', users: [{ phone_number: benchNumbers(1, start + i)[0] }] }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`single request answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

export async function measureLargeRequest() {
  const port = await freePort();
  const { prefix, env } = benchEnvironment({ PORT: String(port), MAX_BODY_BYTES: String(4 * 1024 * 1024) });
  const auth = await seedProject(prefix, 'bench', 'app1');
  const api = startServiceProcess('api/main', env);
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/a/bench/api/v0_5/sms_user_registration_reinstall/`;
  try {
    await waitForHttp(`${base}/healthz`);
    await singleRequestLatencies(url, auth, 50, 100_000);
    const idle = await singleRequestLatencies(url, auth, SAMPLES, 100_100);

    const body = JSON.stringify({ app_id: 'app1', users: benchNumbers(LARGE).map((phone_number) => ({ phone_number })) });
    let largeDone = false;
    const largeStarted = performance.now();
    const large = fetch(url, { method: 'POST', headers: { authorization: auth, prefer: 'respond-async' }, body }).then(
      async (response) => {
        await response.arrayBuffer();
        largeDone = true;
        return { status: response.status, ms: performance.now() - largeStarted };
      },
    );
    const during = await singleRequestLatencies(url, auth, 10_000, 110_000, () => largeDone);
    const largeResult = await large;

    return {
      largeStatus: largeResult.status,
      largeMs: largeResult.ms,
      idleP50: percentile(idle, 50),
      idleP99: percentile(idle, 99),
      duringCount: during.length,
      duringP50: percentile(during, 50),
      duringMax: during.at(-1) ?? NaN,
    };
  } finally {
    await stopProcess(api);
    await deletePrefix(prefix);
  }
}

if (process.argv[1]?.endsWith('large-request.ts')) {
  measureLargeRequest().then((result) => {
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`10,000-number async submission: HTTP ${result.largeStatus} in ${f(result.largeMs)}`);
    console.log(`single requests alone:  p50 ${f(result.idleP50)}, p99 ${f(result.idleP99)}`);
    console.log(`single requests during: n=${result.duringCount}, p50 ${f(result.duringP50)}, max ${f(result.duringMax)}`);
    console.log(`added latency (max during - p50 alone): ${f(result.duringMax - result.idleP50)}`);
  });
}
