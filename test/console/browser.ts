import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const root = new URL('../..', import.meta.url).pathname;
export const SCREENSHOTS = join(root, 'test-results', 'console');

/** Debian's chromium; CI installs it (.ci/run), so only a developer's machine without it skips the browser tests. */
export const browserTestsSkipped = !existsSync(CHROMIUM) && !process.env.CI;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The tests drive the console as `npm run build` ships it; building it here keeps `npm test` working from a clone. */
export function ensureConsoleBuilt(): void {
  const built = join(root, 'dist', 'console', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs > newestSource(join(root, 'web'))) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: root,
    stdio: 'ignore',
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

function newestSource(directory: string): number {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}
