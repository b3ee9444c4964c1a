import { embedSizeBenchmark } from './embed-size';
import { speedToLeadBenchmark } from './speed-to-lead';

/** One measured figure; `budget` is what it should stay under. Benchmarks report, they never assert. */
type Figure = { name: string; value: number; unit: string; budget?: number };

/** Every benchmark `npm run bench` runs, in order. Add new modules here. */
const benchmarks: Array<() => Promise<Figure[]>> = [embedSizeBenchmark, speedToLeadBenchmark];

const rows: string[][] = [['figure', 'value', 'unit', 'budget', 'of budget']];
for (const benchmark of benchmarks) {
  try {
    for (const { name, value, unit, budget } of await benchmark()) {
      const ratio = budget ? `${((value / budget) * 100).toFixed(0)}%${value > budget ? ' OVER' : ''}` : '';
      rows.push([name, String(Math.round(value * 100) / 100), unit, budget === undefined ? '' : String(budget), ratio]);
    }
  } catch (error) {
    // A broken benchmark is reported and the rest still run; the exit code tells CI.
    rows.push([`${benchmark.name} failed: ${(error as Error).message}`, '', '', '', '']);
    process.exitCode = 1;
  }
}

const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
