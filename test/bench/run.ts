import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { embedSizeBenchmark } from './embed-size';
import type { Figure } from './figure';
import { speedToLeadBenchmark } from './speed-to-lead';
import { followUpCostBenchmark } from './follow-up-cost';
import { channelRoiRollupBenchmark } from './channel-roi-rollup';
import { coldStartBenchmark } from './cold-start';

/** Every benchmark `npm run bench` runs, in order. Add new modules here. */
const benchmarks: Array<() => Promise<Figure[]>> = [embedSizeBenchmark, speedToLeadBenchmark, followUpCostBenchmark, channelRoiRollupBenchmark, coldStartBenchmark];

const format = (value: number) => String(Math.round(value * 100) / 100);
const figures: Figure[] = [];
const rows: string[][] = [['figure', 'value', 'unit', 'same-run baseline', 'ratio', 'target / budget', 'met']];
for (const benchmark of benchmarks) {
  try {
    for (const figure of await benchmark()) {
      figures.push(figure);
      const { name, value, unit, budget, baseline, target, met } = figure;
      const ratio = baseline ? format(value / baseline.value) : budget ? `${((value / budget) * 100).toFixed(0)}% of budget` : '';
      const goal = target ?? (budget === undefined ? '' : `≤ ${budget}`);
      const verdict = met === undefined ? (budget === undefined ? '' : value <= budget ? 'yes' : 'NO') : met ? 'yes' : 'NO';
      rows.push([name, format(value), unit, baseline ? `${baseline.name} ${format(baseline.value)}` : '', ratio, goal, verdict]);
    }
  } catch (error) {
    // A broken benchmark is reported and the rest still run; the exit code tells CI.
    rows.push([`${benchmark.name} failed: ${(error as Error).message}`, '', '', '', '', '', '']);
    process.exitCode = 1;
  }
}

const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));

const resultsDir = new URL('../../bench/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
writeFileSync(new URL('results.json', resultsDir), `${JSON.stringify({ at: new Date().toISOString(), machine, figures }, null, 2)}\n`);
