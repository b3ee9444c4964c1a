import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { embedSizeBenchmark } from './embed-size';
import type { Figure } from './figure';
import { speedToLeadBenchmark } from './speed-to-lead';
import { followUpCostBenchmark } from './follow-up-cost';
import { channelRoiRollupBenchmark } from './channel-roi-rollup';
import { coldStartBenchmark } from './cold-start';
import { importThroughputBenchmark } from './import-throughput';
import { scheduledJobReadsBenchmark } from './scheduled-job-reads';
import { leadCostBenchmark } from './lead-cost';

/** Every benchmark `npm run bench` runs, by the name that selects it, in order. Add new modules here. */
const cases: Record<string, () => Promise<Figure[]>> = {
  'embed-size': embedSizeBenchmark,
  'speed-to-lead': speedToLeadBenchmark,
  'follow-up-cost': followUpCostBenchmark,
  'channel-roi-rollup': channelRoiRollupBenchmark,
  'cold-start': coldStartBenchmark,
  import: importThroughputBenchmark,
  'scheduled-jobs': scheduledJobReadsBenchmark,
  cost: leadCostBenchmark,
};

// The handlers' metric lines (CloudWatch EMF on stdout, whatever the log level) would bury the table, and no case reads them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// `npm run bench -- cold-start import` runs only the cases named, so one can be rerun while others work.
const selected = process.argv.slice(2);
if (selected.includes('--help') || selected.includes('-h')) {
  console.log(`Usage: npm run bench [-- <case> ...]; the cases, all by default: ${Object.keys(cases).join(', ')}`);
  process.exit(0);
}
const unknown = selected.filter((name) => !(name in cases));
if (unknown.length) {
  console.error(`No benchmark named ${unknown.join(', ')}; the cases are: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
const benchmarks = Object.entries(cases).filter(([name]) => !selected.length || selected.includes(name));

const format = (value: number) => String(Math.round(value * 100) / 100);
/** One case's figures as `bench/results.json` keeps them: when it ran and the machine's load average as it started. */
interface CaseResults {
  at: string;
  /** Absent for the figures carried over from runs before the load was recorded. */
  loadAverage?: { oneMinute: number; fiveMinutes: number; fifteenMinutes: number };
  figures: Figure[];
}
const ran: Array<[string, CaseResults]> = [];
function loadAverage(): CaseResults['loadAverage'] {
  const [oneMinute, fiveMinutes, fifteenMinutes] = loadavg().map((load) => Math.round(load * 100) / 100);
  return { oneMinute, fiveMinutes, fifteenMinutes };
}
const rows: string[][] = [['figure', 'value', 'unit', 'same-run baseline', 'ratio', 'target / budget', 'met']];
for (const [caseName, benchmark] of benchmarks) {
  const run: CaseResults = { at: new Date().toISOString(), loadAverage: loadAverage(), figures: [] };
  try {
    for (const figure of await benchmark()) {
      run.figures.push(figure);
      const { name, value, unit, budget, baseline, target, met } = figure;
      const ratio = baseline ? format(value / baseline.value) : budget ? `${((value / budget) * 100).toFixed(0)}% of budget` : '';
      const goal = target ?? (budget === undefined ? '' : `≤ ${budget}`);
      const verdict = met === undefined ? (budget === undefined ? '' : value <= budget ? 'yes' : 'NO') : met ? 'yes' : 'NO';
      rows.push([name, format(value), unit, baseline ? `${baseline.name} ${format(baseline.value)}` : '', ratio, goal, verdict]);
    }
    ran.push([caseName, run]);
  } catch (error) {
    // A broken benchmark is reported (its last good figures stay in the file) and the rest still run; the exit code tells CI.
    rows.push([`${caseName} failed: ${(error as Error).message.split('\n')[0]}`, '', '', '', '', '', '']);
    console.error(error);
    process.exitCode = 1;
  }
}

const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
for (const { name, note } of ran.flatMap(([, run]) => run.figures)) if (note) console.log(`note on ${name}: ${note}`);

const resultsDir = new URL('../../bench/', import.meta.url);
const resultsFile = new URL('results.json', resultsDir);
mkdirSync(resultsDir, { recursive: true });
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
// A run of some cases keeps the last figures of the others, each case with when it ran and the load then.
const previous = existsSync(resultsFile) ? ((JSON.parse(readFileSync(resultsFile, 'utf8')) as { cases?: Record<string, CaseResults> }).cases ?? {}) : {};
const results = { machine, cases: { ...previous, ...Object.fromEntries(ran) } };
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
