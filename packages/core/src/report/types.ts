/**
 * A report page as plain data: sections of text blocks and chart specs. Plugins build it from stored runs;
 * `renderReportHtml` turns it into one self-contained HTML file. Every string here is untrusted text
 * (model names, error texts) and is escaped by the renderer, never interpreted as markup.
 */
export interface ReportPage {
  title: string;
  /** One line under the title (run ids, dates). */
  subtitle?: string;
  sections: ReportSection[];
  /** Footer line: tool and version that wrote the file. */
  generator: string;
}

export interface ReportSection {
  /** Anchor id (letters, digits, `-`); the table of contents links to it. */
  id: string;
  title: string;
  blocks: ReportBlock[];
}

export type ReportBlock =
  | { kind: 'text'; text: string }
  | { kind: 'pre'; text: string; label?: string }
  | { kind: 'table'; caption?: string; columns: string[]; rows: ReportCell[][]; numeric?: boolean[] }
  | { kind: 'keyvalue'; rows: [string, string][] }
  | { kind: 'list'; items: ReportListItem[] }
  | { kind: 'charts'; charts: ChartSpec[] }
  /** Collapsible; open unless `open: false` (closed ones print only their summary line). */
  | { kind: 'details'; summary: string; blocks: ReportBlock[]; open?: boolean };

/** A table cell; `tone` colours it (holds / misses). */
export type ReportCell = string | { text: string; tone?: 'good' | 'bad' | 'warn' };

export type ReportListItem = string | { text: string; tone?: 'good' | 'bad' | 'warn' };

/** One axis: a title and its unit are both required (they are printed as `title (unit)`). */
export interface AxisSpec {
  label: string;
  unit: string;
  log?: boolean;
  min?: number;
  max?: number;
  /** Categorical ticks: tick at each value, printed with its label (e.g. level index -> `c=16`). */
  ticks?: { values: number[]; labels: string[] };
}

export interface ChartSeries {
  label: string;
  /** x of each point, any order; points with a null y are gaps. */
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  /** Lower and upper confidence bounds per point, drawn as error bars. */
  lo?: ArrayLike<number | null>;
  hi?: ArrayLike<number | null>;
  /** `line` joins points in x order, `order` joins them in the order given, `points` draws markers only. */
  style: 'line' | 'step' | 'points' | 'order';
  color: string;
  dash?: boolean;
  /** Draw against the right-hand axis (`y2`). */
  axis?: 'y' | 'y2';
  /** Text drawn beside each point (e.g. `c=16`). */
  pointLabels?: string[];
  /** Per-point marker colour (e.g. green where the level holds the SLO). */
  pointColors?: string[];
  /** Marker size in CSS px (0: none); default 4 for points/order, 0 for line/step. */
  pointSize?: number;
}

export interface ChartSpec {
  /** Unique within the page (letters, digits, `-`). */
  id: string;
  title: string;
  /** Short note under the title (definitions, what was left out). */
  note?: string;
  x: AxisSpec;
  y: AxisSpec;
  y2?: AxisSpec;
  series: ChartSeries[];
  /** Shaded x ranges (the measurement windows), with a label drawn at the top. */
  bands?: { from: number; to: number; label: string }[];
  /** Horizontal threshold lines (SLO), on `y` unless said otherwise. */
  hlines?: { y: number; label: string; axis?: 'y' | 'y2'; color?: string }[];
}
