import { expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderReportHtml } from '../src/report/html.js';
import type { ReportPage } from '../src/report/types.js';

const EVIL = '<script>alert(1)</script>';
const BREAKOUT = '</script><script>alert(2)</script><!--';

/** A page with hostile strings in every place a run string can reach. */
function hostilePage(): ReportPage {
  return {
    title: `report of ${EVIL}`,
    subtitle: `"quoted" & 'single' ${EVIL}`,
    generator: 'test',
    sections: [
      {
        id: 'a"><script>x</script>',
        title: EVIL,
        blocks: [
          { kind: 'text', text: EVIL },
          { kind: 'pre', text: EVIL, label: EVIL },
          { kind: 'table', caption: EVIL, columns: [EVIL], rows: [[EVIL], [{ text: EVIL, tone: 'bad' }]] },
          { kind: 'keyvalue', rows: [[EVIL, BREAKOUT]] },
          { kind: 'list', items: [EVIL, { text: BREAKOUT, tone: 'warn' }] },
          {
            kind: 'details',
            summary: EVIL,
            blocks: [
              {
                kind: 'charts',
                charts: [
                  {
                    id: '"><img src=x>',
                    title: EVIL,
                    note: BREAKOUT,
                    x: { label: EVIL, unit: BREAKOUT },
                    y: { label: 'y', unit: 'ms' },
                    series: [{ label: BREAKOUT, x: [1, 2], y: [3, 4], style: 'line', color: '#4e79a7' }],
                    bands: [{ from: 1, to: 2, label: BREAKOUT }],
                    hlines: [{ y: 3, label: BREAKOUT }],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

it('escapes every run string in markup and keeps chart data inside its JSON script element', () => {
  const html = renderReportHtml(hostilePage());
  // The report's own three script elements (data, uPlot, drawing code) and no other.
  expect(html.match(/<script/g)).toHaveLength(3);
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img');
  expect(html).not.toContain('<!--');
  expect(html).toContain(escapeHtml(EVIL));
  // The JSON element ends at its own closing tag and parses back to the original strings.
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)!;
  expect(m[1]).not.toMatch(/[<>]/);
  const data = JSON.parse(m[1]!) as { charts: { title: string; series: { label: string }[]; id: string }[] };
  expect(data.charts[0]!.title).toBe(EVIL);
  expect(data.charts[0]!.series[0]!.label).toBe(BREAKOUT);
  // Ids go into attributes: reduced to a safe alphabet.
  expect(data.charts[0]!.id).toMatch(/^[A-Za-z0-9_-]+$/);
});

it('escapes the five HTML metacharacters and U+2028/2029 in script JSON', () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const json = jsonForScript({ s: '</script>\u2028&' });
  expect(json).toBe('{"s":"\\u003c/script\\u003e\\u2028\\u0026"}');
  expect(JSON.parse(json)).toEqual({ s: '</script>\u2028&' });
});

it('holds no external URL and allows only its own inline scripts and style', () => {
  const page = hostilePage();
  const html = renderReportHtml({ ...page, sections: [] });
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/\b(src|href)=["']?(?!#)/);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  expect(csp).toContain('default-src &#39;none&#39;');
  expect(csp.match(/sha256-/g)).toHaveLength(3);
  expect(csp).not.toContain('unsafe-inline');
});
