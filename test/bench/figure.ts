/**
 * One measured figure. `budget` is a fixed ceiling; `baseline` is a figure taken in the same run that
 * this one is compared with (printed as a ratio); `target` says what the figure should reach and `met`
 * whether this run reached it. Benchmarks report, they never assert.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  budget?: number;
  baseline?: { name: string; value: number };
  target?: string;
  met?: boolean;
  /** What the reader must know to read the figure (a target missed and why); printed under the table. */
  note?: string;
}
