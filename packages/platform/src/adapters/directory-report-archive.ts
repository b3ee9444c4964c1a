import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ReportArchive } from '../ports/channel-roi-store';

/** Reports as files under a directory (the local runtime's data directory), at the same keys as in S3. */
export class DirectoryReportArchive implements ReportArchive {
  constructor(private readonly directory: string) {}

  async put(key: string, body: string): Promise<void> {
    const root = resolve(this.directory);
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep)) throw new Error(`Report key "${key}" leaves the report directory`);
    await mkdir(dirname(path), { recursive: true });
    // Written whole, then renamed, so a reader never sees half a file; each put under a name of its own, so two
    // rollups filing one version at once each rename a whole file and the last one wins, as the last put to S3 does.
    const partial = `${path}.${randomUUID()}.partial`;
    try {
      await writeFile(partial, body);
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }
}
