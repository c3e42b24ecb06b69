import { EdgeDriftReport } from './EdgeDriftReport.ts';
import { EdgeModel } from './EdgeModel.ts';
import { EdgeModelStatus } from './EdgeModelStatus.ts';

export { EdgeModel, parseBackends, type EdgeModelEventMap } from './EdgeModel.ts';
export { EdgeModelController, sharedRuntime, type EdgeModelHost, type UpdateState } from './EdgeModelController.ts';
export { EdgeModelStatus } from './EdgeModelStatus.ts';
export { EdgeDriftReport, DriftReportStatus } from './EdgeDriftReport.ts';
export { overallVerdict } from './overallVerdict.ts';
export { driftReportCsv } from './driftReportCsv.ts';
export type { LookBack } from './parseWindow.ts';
export { edgeRuntimeFor } from '../runtime/sharedRuntime.ts';

// Registering is this entry point's one side effect (listed in package.json "sideEffects").
if (typeof customElements !== 'undefined') {
  if (!customElements.get('edge-model')) customElements.define('edge-model', EdgeModel);
  if (!customElements.get('edge-model-status')) customElements.define('edge-model-status', EdgeModelStatus);
  if (!customElements.get('edge-drift-report')) customElements.define('edge-drift-report', EdgeDriftReport);
}
