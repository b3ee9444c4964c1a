import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, never a downloaded one: `apt-get install chromium` (CI installs it). */
const chromiumPath = '/usr/bin/chromium';
const quietHeadless = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches headless Chromium; `extraArgs` for a test that needs more (the embed test's network flags). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: [...quietHeadless, ...extraArgs], timeout: 120_000 });
}
