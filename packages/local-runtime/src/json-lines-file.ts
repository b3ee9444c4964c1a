import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * A file of JSON lines that a killed process leaves readable: lines are appended synchronously (the
 * kernel has them once the call returns), a last line cut short by the kill is skipped when read (it told
 * no one anything), and rewriting goes to a new file renamed over the old, so a kill leaves one whole file.
 */
export const jsonLinesFile = {
  /** The lines that parse, in order; none when the file does not exist. */
  read<Line>(file: string): Line[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((text) => {
        if (!text.trim()) return [];
        try {
          return [JSON.parse(text) as Line];
        } catch {
          return [];
        }
      });
  },
  append(file: string, line: unknown): void {
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  },
  rewrite(file: string, lines: readonly unknown[]): void {
    const next = `${file}.next`;
    writeFileSync(next, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    renameSync(next, file);
  },
};
