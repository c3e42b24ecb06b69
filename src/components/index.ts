import { EdgeModel } from './EdgeModel.ts';

export { EdgeModel, type EdgeModelEventMap } from './EdgeModel.ts';
export { EdgeModelController, sharedRuntime, type EdgeModelHost } from './EdgeModelController.ts';

// Registering is this entry point's one side effect (listed in package.json "sideEffects").
if (typeof customElements !== 'undefined' && !customElements.get('edge-model')) customElements.define('edge-model', EdgeModel);
