/**
 * Runs the benchmark scenarios, prints the results table and writes it to BENCHMARKS.md.
 *
 *   npm run bench                       every scenario, 3 runs each (18 minutes on 2 cores)
 *   npm run bench -- --only throughput  one scenario; repeat --only for more
 *   npm run bench -- --runs 5           runs per scenario
 *   npm run bench -- --quick            smaller sizes, for trying the bench out
 *   npm run bench -- --cpu-prof DIR     also write CPU profiles of the service's processes to DIR
 *
 * Progress goes to stderr, the table to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchmarkRecord,
  describeEnvironment,
  resultsTable,
  type ScenarioResult,
} from './bench-report.js';
import { buildService } from './bench-support.js';
import { classification } from './classification.js';
import { gatewayBound } from './gateway-bound.js';
import { largeRequest } from './large-request-scenario.js';
import { memory } from './memory.js';
import { naive } from './naive-comparison.js';
import type { Scenario, ScenarioOptions } from './scenario.js';
import { cleanUpOnSignals } from './service-stack.js';
import { syncLatency } from './sync-latency.js';
import { throughput } from './throughput.js';
import { waitingClients } from './waiting-clients.js';

const SCENARIOS: Scenario[] = [
  throughput,
  naive,
  gatewayBound,
  syncLatency,
  waitingClients,
  largeRequest,
  memory,
  classification,
];

const USAGE = `Usage: npm run bench -- [--only NAME]... [--runs N] [--quick] [--cpu-prof DIR]
                          [--output FILE]

  --only NAME      run only this scenario; repeat for more. Names:
                   ${SCENARIOS.map((scenario) => scenario.name).join(', ')}
  --runs N         runs per scenario, whose median is reported (default 3)
  --quick          smaller sizes, for trying the bench out; figures are not comparable
  --cpu-prof DIR   write V8 CPU profiles (.cpuprofile) of the API and worker processes to DIR
  --output FILE    where to write the record (default BENCHMARKS.md)
`;

interface BenchOptions {
  scenarios: Scenario[];
  runs: number;
  quick: boolean;
  cpuProfileDir?: string;
  output: string;
}

/** Parses the command line; exits with the usage text on --help or an invalid option. */
function readOptions(args: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        only: { type: 'string', multiple: true },
        runs: { type: 'string', default: '3' },
        quick: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        output: { type: 'string', default: 'BENCHMARKS.md' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    exitWithUsage((error as Error).message);
  }
  if (parsed.help) exitWithUsage();
  const runs = Number(parsed.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    exitWithUsage(`--runs ${parsed.runs} is invalid; give a whole number from 1 to 100`);
  }
  const names = parsed.only ?? SCENARIOS.map((scenario) => scenario.name);
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) exitWithUsage(`unknown scenario ${unknown.join(', ')}`);
  return {
    scenarios: SCENARIOS.filter((scenario) => names.includes(scenario.name)),
    runs,
    quick: parsed.quick,
    cpuProfileDir: parsed['cpu-prof'],
    output: parsed.output,
  };
}

function exitWithUsage(problem?: string): never {
  if (problem) process.stderr.write(`${problem}\n\n`);
  process.stderr.write(USAGE);
  process.exit(problem ? 2 : 0);
}

/** Rebuilds the command as typed, for the record. */
function commandLine(args: string[]): string {
  const quoted = args.map((arg) => (/^[\w./=-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') {
    return quoted ? `npm run bench -- ${quoted}` : 'npm run bench';
  }
  const suffix = quoted ? ` ${quoted}` : '';
  return `npx tsx bench/run-all.ts${suffix}`;
}

function progressPrinter(startedAt: number) {
  return (scenario: string) => (message: string) => {
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    process.stderr.write(`[${clock}] ${scenario}: ${message}\n`);
  };
}

async function runScenario(scenario: Scenario, options: ScenarioOptions): Promise<ScenarioResult> {
  try {
    return { scenario, runs: await scenario.measure(options) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.progress(`failed: ${message}`);
    return { scenario, runs: [], error: message };
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options = readOptions(args);
  cleanUpOnSignals();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const environment = await describeEnvironment();
  const progressFor = progressPrinter(startedAt.getTime());

  // The service's processes run the compiled build, as in production. It is built once, here.
  progressFor('build')('npm run build');
  buildService();

  const serviceNodeArgs: string[] = [];
  if (options.cpuProfileDir) {
    mkdirSync(options.cpuProfileDir, { recursive: true });
    serviceNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfileDir)}`);
  }
  const results: ScenarioResult[] = [];
  for (const scenario of options.scenarios) {
    const progress = progressFor(scenario.name);
    progress('starting');
    const scenarioOptions = { runs: options.runs, quick: options.quick, serviceNodeArgs, progress };
    results.push(await runScenario(scenario, scenarioOptions));
  }

  const details = {
    command: commandLine(args),
    runs: options.runs,
    quick: options.quick,
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    loadBefore,
    loadAfter: os.loadavg(),
  };
  writeFileSync(options.output, benchmarkRecord(environment, details, results));
  process.stdout.write(`${resultsTable(results)}\n`);
  process.stderr.write(`wrote ${options.output}\n`);
  // Keep-alive sockets of fetch would otherwise hold the process open for a few more seconds.
  process.exit(results.some((result) => result.error !== undefined) ? 1 : 0);
}

main().catch((error: unknown) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench failed: ${text}\n`);
  process.exit(1);
});
