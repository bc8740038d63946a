import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

/** Debian's chromium (installed by .ci/run); the report tests drive it with playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots of reports go (gitignored): look at them after a run. */
export const ARTIFACTS = join(import.meta.dirname, 'artifacts');

/** Why the browser tests cannot run here, or null when they can. In CI a missing browser is a failure. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  return `chromium is not installed at ${CHROMIUM}: the HTML report is checked in a real browser (apt-get update && apt-get install -y chromium)`;
}

/** What one chart drew, as the page's script reports it on `window.__report`. */
export interface DrawnChart {
  id: string;
  title: string;
  points: number;
  axes: string[];
  series: { label: string; points: number }[];
  empty?: boolean;
  /** Pixels in the chart's canvas that have one of its series' colours. */
  seriesPixels: number;
}

export interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  /** Every URL the page asked for (the file itself included). */
  requests: string[];
  dialogs: string[];
  charts: DrawnChart[];
  /** ms from navigation start until every chart was drawn (performance mark `report-drawn`). */
  drawnMs: number;
  close(): Promise<void>;
}

/** Open a report file in headless Chromium (fresh profile, no network features) and wait for its charts. */
export async function openReport(
  file: string,
  viewport = { width: 1366, height: 900 },
): Promise<OpenedReport> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ib-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
  });
  const close = async (): Promise<void> => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, {
      timeout: 30_000,
    });
    const { charts, drawnMs } = await page.evaluate(() => {
      const w = window as unknown as { __report: { charts: Omit<DrawnChart, 'seriesPixels'>[] } };
      const data = JSON.parse(document.getElementById('report-data')!.textContent!) as {
        charts: { id: string; series: { color: string }[] }[];
      };
      const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      const counted = w.__report.charts.map((c) => {
        const spec = data.charts.find((s) => s.id === c.id)!;
        const canvas = document.querySelector(`#chart-${c.id} canvas`) as HTMLCanvasElement | null;
        let seriesPixels = 0;
        if (canvas) {
          const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          const colours = spec.series.map((s) => rgb(s.color));
          for (let i = 0; i < px.length; i += 4) {
            for (const [r, g, b] of colours)
              if (Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - g!) + Math.abs(px[i + 2]! - b!) < 30) {
                seriesPixels++;
                break;
              }
          }
        }
        return { ...c, seriesPixels };
      });
      const mark = performance.getEntriesByName('report-drawn')[0];
      return { charts: counted, drawnMs: mark ? mark.startTime : Number.NaN };
    });
    return { page, consoleErrors, requests, dialogs, charts, drawnMs, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A full-page screenshot into the artefacts folder; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
