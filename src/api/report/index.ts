/** Report rendering: results types, the SVG plotting kit and the HTML pages (pure; files are written by ../report.ts). */
export * from './types.js';
export { PALETTE, linePlot, parityPlot, histogramPlot, linearTicks, logTicks, formatTick, type Series, type HistogramSeries, type PlotOptions, type AxisOptions } from './svg.js';
export { renderCompareHtml, renderRdfHtml, resultsTable, resultsTableText, page, type RdfCurveSet } from './html.js';
