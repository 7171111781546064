/**
 * Shapes shared by the benchmark scenarios and the runner: the figures of one run, the targets
 * checked against them, and the summary (median, min and max over runs) printed in the table.
 */

/** Figures measured in one run of a scenario, keyed by figure name. */
export type RunFigures = Record<string, number>;

/** Display settings of one figure in the table. */
export interface FigureSpec {
  key: string;
  label: string;
  unit: string;
  /** Digits after the decimal point. */
  digits: number;
}

/**
 * One condition of a scenario's target. Performance targets compare the median over runs,
 * and conditions that must hold in every run ("zero throttled", "at most 4 connections")
 * compare the max.
 */
export interface Condition {
  figure: string;
  statistic: 'median' | 'max';
  comparison: '>=' | '<=';
  limit: number;
}

export interface ScenarioOptions {
  runs: number;
  /** Smaller sizes, for trying the bench out; figures are not comparable with a full run. */
  quick: boolean;
  /** Node flags for the service's API and worker processes, such as `--cpu-prof`. */
  serviceNodeArgs: string[];
  progress: (message: string) => void;
}

export interface Scenario {
  name: string;
  /** Summary of one run, for the notes under the table. */
  description: string;
  /** The target in words, as printed in the table. */
  target: string;
  figures: FigureSpec[];
  /** Empty when the scenario only reports figures. */
  conditions: Condition[];
  /** Runs the scenario `options.runs` times and returns the figures of each run. */
  measure(options: ScenarioOptions): Promise<RunFigures[]>;
}

/** Median, min and max of one figure over the runs, NaN when a run lacks it. */
export interface FigureSummary {
  median: number;
  min: number;
  max: number;
}

/** Runs `runOnce` sequentially, numbering runs from 1, and collects their figures. */
export async function repeatRuns(
  options: ScenarioOptions,
  runOnce: (run: number) => Promise<RunFigures>,
): Promise<RunFigures[]> {
  const results: RunFigures[] = [];
  for (let run = 1; run <= options.runs; run++) {
    options.progress(`run ${run}/${options.runs}`);
    results.push(await runOnce(run));
  }
  return results;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summarise(runs: RunFigures[], key: string): FigureSummary {
  const values = runs.map((run) => run[key] ?? NaN);
  if (values.length === 0 || values.some((value) => Number.isNaN(value))) {
    return { median: NaN, min: NaN, max: NaN };
  }
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Returns whether every condition holds; a NaN figure fails its condition. */
export function meetsConditions(runs: RunFigures[], conditions: Condition[]): boolean {
  return conditions.every((condition) => {
    const value = summarise(runs, condition.figure)[condition.statistic];
    if (Number.isNaN(value)) return false;
    return condition.comparison === '>=' ? value >= condition.limit : value <= condition.limit;
  });
}
