// Draws the charts of an inferencebench report with uPlot (inlined before this script). Runs in the
// browser: reads the chart specs from the JSON script element, never touches the network, and puts run
// strings on the page only through textContent or canvas text (never as markup).
(() => {
  const uPlot = window.uPlot;
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const drawn = [];
  const ratio = () => window.devicePixelRatio || 1;

  const axisTitle = (a) => (a.unit ? `${a.label} (${a.unit})` : a.label);

  // Short tick numbers: 12k rather than 12000, so tick labels fit beside the plot.
  const tickText = (v) => {
    if (v === null || v === undefined) return '';
    const a = Math.abs(v);
    if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
    if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
    return String(+v.toPrecision(4));
  };

  // Ranges: tight on log axes (not whole decades), always wide enough for the threshold lines and error
  // bars drawn (`extra`), padded where markers would sit on the edge (`pad`).
  function scaleOpts(axis, extra, pad) {
    const s = { auto: true };
    if (axis.log) {
      s.distr = 3;
      s.log = 10;
    }
    if (axis.ticks) {
      const vs = axis.ticks.values;
      const lo = Math.min(...vs);
      const hi = Math.max(...vs);
      s.range = () => [lo - 0.5, hi + 0.5];
      return s;
    }
    if (axis.min === undefined && axis.max === undefined && !axis.log && extra.length === 0 && !pad) return s;
    s.range = (_u, dmin, dmax) => {
      let lo = dmin;
      let hi = dmax;
      for (const y of extra) {
        if (axis.log && !(y > 0)) continue;
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
      // uPlot's own log range rounds out to whole decades; a 15% margin each side reads better.
      const [a, b] = axis.log ? [lo / 1.15, hi * 1.15] : uPlot.rangeNum(lo, hi, 0.1, true);
      return [axis.min ?? a, axis.max ?? b];
    };
    return s;
  }

  function axisOpts(axis, scale, side) {
    const o = {
      scale,
      label: axisTitle(axis),
      side,
      size: side === 2 ? 44 : 62,
      values: (_u, splits) => splits.map(tickText),
    };
    if (side === 1) o.grid = { show: false };
    // Log axes: ticks at 1, 2 and 5 times each power of ten inside the range.
    if (axis.log)
      o.splits = (_u, _i, min, max) => {
        const out = [];
        for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++)
          for (const m of [1, 2, 5]) {
            const v = +(m * 10 ** k).toPrecision(3);
            if (v >= min && v <= max) out.push(v);
          }
        return out;
      };
    if (axis.ticks) {
      const labels = new Map(axis.ticks.values.map((v, i) => [v, axis.ticks.labels[i]]));
      o.splits = () => axis.ticks.values;
      o.values = (_u, splits) => splits.map((v) => labels.get(v) ?? '');
    }
    return o;
  }

  // uPlot wants one ascending x array shared by every series: the union of the series' x values, with
  // null where a series has no point (spanGaps joins across them).
  function alignedData(spec) {
    const keepX = (x) => x !== null && Number.isFinite(x) && (!spec.x.log || x > 0);
    const xs = new Set();
    for (const s of spec.series) for (const x of s.x) if (keepX(x)) xs.add(x);
    const xAxis = Float64Array.from(xs).sort();
    const at = new Map();
    xAxis.forEach((x, i) => {
      at.set(x, i);
    });
    const cols = [Array.from(xAxis)];
    for (const s of spec.series) {
      const ys = new Array(xAxis.length).fill(null);
      const axis = s.axis === 'y2' ? spec.y2 : spec.y;
      s.x.forEach((x, k) => {
        const y = s.y[k];
        if (!keepX(x) || y === null || (axis?.log && !(y > 0))) return;
        ys[at.get(x)] = y;
      });
      cols.push(ys);
    }
    return cols;
  }

  function pointsOf(s, spec) {
    let n = 0;
    s.x.forEach((x, k) => {
      if (x !== null && s.y[k] !== null && (!spec.x.log || x > 0)) n++;
    });
    return n;
  }

  // Error bars, joined-in-order lines, per-point colours and labels, SLO lines: drawn over the series.
  function drawOverlay(u, spec) {
    const ctx = u.ctx;
    const px = ratio();
    ctx.save();
    spec.series.forEach((s, i) => {
      if (!u.series[i + 1].show) return;
      const scale = s.axis === 'y2' ? 'y2' : 'y';
      const pos = (k, v) => [u.valToPos(s.x[k], 'x', true), u.valToPos(v, scale, true)];
      const valid = (k) => s.x[k] !== null && s.y[k] !== null;
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 1.5 * px;
      if (s.style === 'order') {
        ctx.setLineDash(s.dash ? [6 * px, 4 * px] : []);
        ctx.beginPath();
        let started = false;
        s.x.forEach((_x, k) => {
          if (!valid(k)) return;
          const [cx, cy] = pos(k, s.y[k]);
          if (started) ctx.lineTo(cx, cy);
          else ctx.moveTo(cx, cy);
          started = true;
        });
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (s.lo && s.hi) {
        s.x.forEach((_x, k) => {
          if (!valid(k) || s.lo[k] === null || s.hi[k] === null) return;
          const [cx, y1] = pos(k, s.lo[k]);
          const [, y2] = pos(k, s.hi[k]);
          ctx.beginPath();
          ctx.moveTo(cx, y1);
          ctx.lineTo(cx, y2);
          ctx.moveTo(cx - 4 * px, y1);
          ctx.lineTo(cx + 4 * px, y1);
          ctx.moveTo(cx - 4 * px, y2);
          ctx.lineTo(cx + 4 * px, y2);
          ctx.stroke();
        });
      }
      if (s.pointColors) {
        s.x.forEach((_x, k) => {
          if (!valid(k)) return;
          const [cx, cy] = pos(k, s.y[k]);
          ctx.fillStyle = s.pointColors[k] ?? s.color;
          ctx.beginPath();
          ctx.arc(cx, cy, 5 * px, 0, 2 * Math.PI);
          ctx.fill();
        });
      }
      if (s.pointLabels) {
        ctx.fillStyle = '#333';
        ctx.font = `${11 * px}px system-ui, sans-serif`;
        ctx.textBaseline = 'bottom';
        s.x.forEach((_x, k) => {
          if (!valid(k) || !s.pointLabels[k]) return;
          const [cx, cy] = pos(k, s.y[k]);
          ctx.fillText(s.pointLabels[k], cx + 6 * px, cy - 3 * px);
        });
      }
    });
    for (const h of spec.hlines ?? []) {
      const scale = h.axis === 'y2' ? 'y2' : 'y';
      const y = u.valToPos(h.y, scale, true);
      if (!(y >= u.bbox.top && y <= u.bbox.top + u.bbox.height)) continue;
      ctx.strokeStyle = h.color ?? '#c62828';
      ctx.fillStyle = h.color ?? '#c62828';
      ctx.lineWidth = 1.5 * px;
      ctx.setLineDash([5 * px, 4 * px]);
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `${11 * px}px system-ui, sans-serif`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText(h.label, u.bbox.left + u.bbox.width - 4 * px, y - 2 * px);
      ctx.textAlign = 'left';
    }
    ctx.restore();
  }

  // Shaded x ranges (measurement windows) under the grid and series, labelled at the top.
  function drawBands(u, spec) {
    if (!spec.bands?.length) return;
    const ctx = u.ctx;
    const px = ratio();
    ctx.save();
    ctx.font = `${11 * px}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    for (const b of spec.bands) {
      const x1 = Math.max(u.bbox.left, u.valToPos(b.from, 'x', true));
      const x2 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(b.to, 'x', true));
      if (!(x2 > x1)) continue;
      ctx.fillStyle = 'rgba(46, 125, 230, 0.10)';
      ctx.fillRect(x1, u.bbox.top, x2 - x1, u.bbox.height);
      ctx.fillStyle = '#3a5f93';
      ctx.fillText(b.label, x1 + 3 * px, u.bbox.top + 3 * px);
    }
    ctx.restore();
  }

  function seriesOpts(s) {
    const o = {
      label: s.label,
      stroke: s.color,
      width: 1.75,
      scale: s.axis === 'y2' ? 'y2' : 'y',
      spanGaps: true,
      value: (_u, v) => (v === null || v === undefined ? '--' : tickText(v)),
    };
    if (s.dash) o.dash = [6, 4];
    const size = s.pointSize ?? (s.style === 'points' || s.style === 'order' ? 6 : 0);
    o.points = { show: size > 0, size, fill: s.color, stroke: s.color };
    if (s.style === 'points' || s.style === 'order') o.paths = () => null;
    else if (s.style === 'step') o.paths = uPlot.paths.stepped({ align: 1 });
    return o;
  }

  function chartWidth(el) {
    return Math.max(320, Math.floor(el.getBoundingClientRect().width || el.parentElement.clientWidth || 600));
  }

  for (const spec of data.charts) {
    const el = document.getElementById(`chart-${spec.id}`);
    if (!el) continue;
    const points = spec.series.map((s) => pointsOf(s, spec));
    if (points.every((n) => n === 0)) {
      el.className = 'chart-empty';
      el.textContent = 'no data recorded for this chart';
      drawn.push({ id: spec.id, title: spec.title, points: 0, series: [], axes: [], empty: true });
      continue;
    }
    // Values the y ranges must hold besides the series: SLO lines (with room for their label) and CI bounds.
    const extra = (axis) => [
      ...(spec.hlines ?? []).filter((h) => (h.axis ?? 'y') === axis).map((h) => h.y * 1.05),
      ...spec.series
        .filter((s) => (s.axis ?? 'y') === axis)
        .flatMap((s) => [...(s.lo ?? []), ...(s.hi ?? [])])
        .filter((v) => v !== null),
    ];
    const markers = spec.series.some((s) => s.style === 'order' || s.style === 'points');
    const scales = {
      x: { time: false, ...scaleOpts(spec.x, [], markers) },
      y: scaleOpts(spec.y, extra('y'), false),
    };
    const axes = [axisOpts(spec.x, 'x', 2), axisOpts(spec.y, 'y', 3)];
    if (spec.y2) {
      scales.y2 = scaleOpts(spec.y2, extra('y2'), false);
      axes.push(axisOpts(spec.y2, 'y2', 1));
    }
    const opts = {
      width: chartWidth(el),
      height: 300,
      scales,
      axes,
      series: [{ label: axisTitle(spec.x), value: (_u, v) => tickText(v) }, ...spec.series.map(seriesOpts)],
      legend: { show: true, live: true },
      cursor: { points: { show: false }, drag: { x: true, y: false } },
      hooks: {
        drawClear: [(u) => drawBands(u, spec)],
        draw: [(u) => drawOverlay(u, spec)],
      },
    };
    const u = new uPlot(opts, alignedData(spec), el);
    drawn.push({
      id: spec.id,
      title: spec.title,
      points: points.reduce((a, b) => a + b, 0),
      series: spec.series.map((s, i) => ({ label: s.label, points: points[i] })),
      axes: u.axes.map((a) => a.label),
      uplot: u,
      el,
    });
  }

  const resizeAll = (width) => {
    for (const c of drawn) if (c.uplot) c.uplot.setSize({ width: width ?? chartWidth(c.el), height: 300 });
  };
  let pending = 0;
  window.addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(() => resizeAll(), 150);
  });
  // Print at a page's width, then back to the screen's.
  window.addEventListener('beforeprint', () => resizeAll(680));
  window.addEventListener('afterprint', () => resizeAll());

  // What the page drew, for tests and for anyone checking from the console.
  window.__report = {
    charts: drawn.map(({ uplot: _u, el: _e, ...rest }) => rest),
  };
  document.documentElement.dataset.ready = 'true';
  performance.mark('report-drawn');
})();
