/**
 * report: the presentation layer — results types, the SVG plotting kit and the HTML pages of the comparison and RDF
 * reports. Pure rendering (strings in, strings out; no imports): api/report.ts writes the files, the web page draws
 * the same plots and tables in the browser.
 */
export * from './types.js';
export { PALETTE, linePlot, parityPlot, histogramPlot, linearTicks, logTicks, formatTick, type Series, type HistogramSeries, type PlotOptions, type AxisOptions } from './svg.js';
export { renderCompareHtml, renderRdfHtml, resultsTable, resultsTableText, page, type RdfCurveSet } from './html.js';
