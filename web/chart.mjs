// Histogram of the data with the quantization levels drawn over it, rendered with uPlot.
import uPlot from 'uplot';

const COLORS = {
  data: 'rgb(59, 110, 165)',
  dataFill: 'rgba(59, 110, 165, 0.28)',
  levels: 'rgb(214, 84, 30)',
  levelsFill: 'rgba(214, 84, 30, 0.75)',
  grid: 'rgba(0, 0, 0, 0.08)',
};

function heightFor(width) {
  return Math.round(Math.max(220, Math.min(360, width * 0.5)));
}

/**
 * x values: the levels joined with the histogram's bin edges. Series 1 (drawn first, below): each
 * level as a thin bar, its height the number of elements that dequantize to it (right axis).
 * Series 2: counts per bin as a filled step line (left axis).
 */
function toData(hist, levels) {
  const histX = Array.from(hist.edges);
  const histY = [...hist.counts, 0]; // the last edge closes the step line
  return uPlot.join([
    [Array.from(levels.values), Array.from(levels.counts)],
    [histX, histY],
  ]);
}

function options(width) {
  const axisSize = width < 480 ? 46 : 56;
  return {
    width,
    height: heightFor(width),
    cursor: { drag: { x: true, y: false }, points: { show: false } },
    legend: { live: false },
    scales: {
      x: {
        time: false,
        range: (u, min, max) => {
          const pad = (max - min) * 0.02 || 0.5;
          return [min - pad, max + pad];
        },
      },
      count: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] },
      level: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] },
    },
    axes: [
      { label: 'value', grid: { stroke: COLORS.grid }, space: 36 },
      { scale: 'count', label: 'count per bin', grid: { stroke: COLORS.grid }, size: axisSize },
      { scale: 'level', label: 'values per level', side: 1, grid: { show: false }, size: axisSize, stroke: COLORS.levels },
    ],
    series: [
      { label: 'value' },
      {
        label: 'levels',
        scale: 'level',
        stroke: COLORS.levels,
        fill: COLORS.levelsFill,
        width: 0,
        paths: uPlot.paths.bars({ size: [0, 2, 2] }),
        points: { show: false },
      },
      {
        label: 'data',
        scale: 'count',
        stroke: COLORS.data,
        fill: COLORS.dataFill,
        width: 1.5,
        spanGaps: true,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      },
    ],
  };
}

/** Creates the chart inside `container`; update() redraws with a new result, destroy() removes it. */
export function createHistogramChart(container) {
  let plot = null;
  let lastData = null;
  const width = () => Math.max(240, Math.floor(container.clientWidth));

  // Resize on the next frame: resizing inside the callback changes the observed box again and
  // makes the browser report a "ResizeObserver loop" error.
  let frame = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      if (!plot) return;
      const w = width();
      if (w !== plot.width) plot.setSize({ width: w, height: heightFor(w) });
    });
  });
  observer.observe(container);

  return {
    update(hist, levels) {
      lastData = toData(hist, levels);
      if (!plot) plot = new uPlot(options(width()), lastData, container);
      else plot.setData(lastData);
    },
    destroy() {
      observer.disconnect();
      cancelAnimationFrame(frame);
      plot?.destroy();
      plot = null;
    },
  };
}
