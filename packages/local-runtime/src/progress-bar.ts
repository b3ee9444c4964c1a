/**
 * A one-line progress bar on a terminal, redrawn in place at most every 50 ms; where the stream is
 * not a terminal (a log, CI), a plain line at every tenth instead.
 */
export function progressBar(stream: NodeJS.WriteStream, label: string, width = 30): { update(done: number, total: number): void; finish(): void } {
  let lastDrawn = 0;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total) {
      const fraction = total === 0 ? 1 : done / total;
      if (!stream.isTTY) {
        const tenth = Math.floor(fraction * 10);
        if (tenth !== lastTenth) stream.write(`${label} ${Math.round(fraction * 100)}% (${done}/${total})\n`);
        lastTenth = tenth;
        return;
      }
      const now = Date.now();
      if (done !== total && now - lastDrawn < 50) return;
      lastDrawn = now;
      const filled = Math.round(fraction * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${done}/${total}`);
      drawn = true;
    },
    finish() {
      if (stream.isTTY && drawn) stream.write('\n');
    },
  };
}
