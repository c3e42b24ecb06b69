export { kAnonymize, type Suppression } from './kAnonymize.ts';
export { LATENCY_BOUNDS_MS, toOtlpMetrics } from './toOtlpMetrics.ts';
export { MemoryExportQueue, type ExportQueue, type QueuedExport } from './ExportQueue.ts';
export { IndexedDBExportQueue } from './IndexedDBExportQueue.ts';
export { ExportFormat, ExportOutcome, SummaryExporter, type SummaryExporterOptions } from './SummaryExporter.ts';
