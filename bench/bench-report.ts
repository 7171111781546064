/**
 * The bench's record: what it ran on (machine, Node, Redis, commit) and the results table, as
 * Markdown for the terminal and for BENCHMARKS.md.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { REDIS_URL } from './bench-support.js';
import { meetsConditions, summarise, type RunFigures, type Scenario } from './scenario.js';

const run = promisify(execFile);

/** One scenario's outcome: the figures of each run, or the error that stopped it. */
export interface ScenarioResult {
  scenario: Scenario;
  runs: RunFigures[];
  error?: string;
}

export interface Environment {
  cores: number;
  cpuModel: string;
  os: string;
  node: string;
  redis: string;
  commit: string;
  dirty: boolean;
}

/** Reads `redis_version` from `redis-cli INFO server`, or returns why it could not. */
async function redisVersion(): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-u', REDIS_URL, 'INFO', 'server']);
    return /^redis_version:(\S+)/m.exec(stdout)?.[1] ?? 'unknown (no redis_version in INFO server)';
  } catch (error) {
    return `unknown (redis-cli failed: ${(error as Error).message.split('\n')[0]})`;
  }
}

async function gitOutput(args: string[]): Promise<string> {
  const { stdout } = await run('git', args);
  return stdout.trim();
}

export async function describeEnvironment(): Promise<Environment> {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    redis: await redisVersion(),
    commit: await gitOutput(['rev-parse', '--short', 'HEAD']),
    dirty: (await gitOutput(['status', '--porcelain'])) !== '',
  };
}

function formatNumber(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'n/a';
  const format = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return value.toLocaleString('en-US', format);
}

/** Returns PASS, MISS, or a dash for scenarios without a target. */
function verdict(result: ScenarioResult): string {
  if (result.scenario.conditions.length === 0) return '—';
  return meetsConditions(result.runs, result.scenario.conditions) ? 'PASS' : 'MISS';
}

function tableRow(cells: string[]): string {
  const escaped = cells.map((cell) => cell.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|'));
  return `| ${escaped.join(' | ')} |`;
}

function scenarioRows(result: ScenarioResult): string[] {
  const { scenario } = result;
  if (result.error !== undefined) {
    const error = `error: ${result.error}`;
    return [tableRow([scenario.name, error, '', '', '', '', scenario.target, 'ERROR'])];
  }
  return scenario.figures.map((figure, index) => {
    const summary = summarise(result.runs, figure.key);
    const values = [summary.median, summary.min, summary.max].map((value) =>
      formatNumber(value, figure.digits),
    );
    const first = index === 0;
    return tableRow([
      first ? scenario.name : '',
      figure.label,
      figure.unit,
      ...values,
      first ? scenario.target : '',
      first ? verdict(result) : '',
    ]);
  });
}

/** Builds the results table, one row per figure. */
export function resultsTable(results: ScenarioResult[]): string {
  const header = [
    '| scenario | figure | unit | median | min | max | target | result |',
    '|---|---|---|---:|---:|---:|---|---|',
  ];
  return [...header, ...results.flatMap(scenarioRows)].join('\n');
}

export interface RecordDetails {
  command: string;
  runs: number;
  quick: boolean;
  startedAt: Date;
  minutes: number;
  loadBefore: number[];
  loadAfter: number[];
}

function headerLines(environment: Environment, details: RecordDetails): string[] {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  const tree = environment.dirty ? 'dirty: uncommitted changes were measured' : 'clean';
  return [
    `- Command: \`${details.command}\``,
    `- Date: ${details.startedAt.toISOString()}, ${details.minutes.toFixed(1)} minutes in all`,
    `- Commit: ${environment.commit} (working tree ${tree})`,
    `- Machine: ${environment.cores} cores, ${environment.cpuModel}, ${environment.os}`,
    `- Node ${environment.node}, Redis ${environment.redis}`,
    `- Load average (1, 5, 15 min) at start: ${load(details.loadBefore)}; ` +
      `at end: ${load(details.loadAfter)}`,
  ];
}

/** Builds BENCHMARKS.md: how the figures were made, the table, and what each scenario did. */
export function benchmarkRecord(
  environment: Environment,
  details: RecordDetails,
  results: ScenarioResult[],
): string {
  const quickNote = details.quick
    ? ['', '**Quick mode:** smaller sizes, so these figures are not comparable with a full run.']
    : [];
  const notes = results.map(({ scenario }) => `- **${scenario.name}**: ${scenario.description}`);
  return [
    '# Benchmarks',
    '',
    'Recorded by `npm run bench` (bench/run-all.ts). Every process runs on this machine over',
    "loopback: the gateway simulator inside the bench process, Redis, and the service's API and",
    `worker processes. Each figure is the median of ${details.runs} runs, with min and max.`,
    "A ratio is taken within each run, between that run's baseline and subject, and the median",
    'of those ratios is reported. Targets marked "in every run" compare the max over runs.',
    ...quickNote,
    '',
    ...headerLines(environment, details),
    '',
    resultsTable(results),
    '',
    '## Scenarios',
    '',
    ...notes,
    '',
  ].join('\n');
}
