import type { FeatureSpec } from '../features/FeatureSpec.ts';

/**
 * The demo model's feature definition before fitting: the raw record as the app has it, and how each
 * field becomes a model input. `fit()` on the training years fills in the parameters.
 */
export const weatherSpec: FeatureSpec = {
  schema: 'edgewatch.features/v1',
  inputs: [
    { name: 'date', type: 'timestamp' },
    { name: 'precipitation', type: 'number', min: 0, max: 1000 },
    { name: 'temp_max', type: 'number', min: -60, max: 60 },
    { name: 'temp_min', type: 'number', min: -60, max: 60 },
    // Wind sensors drop out: a missing reading is imputed with the training median instead of refused.
    { name: 'wind', type: 'number', min: 0, max: 100, nullable: true },
  ],
  features: [
    { name: 'season', input: 'date', steps: [{ op: 'datePart', part: 'dayOfYear', cyclical: true }] },
    { name: 'precipitation', input: 'precipitation', steps: [{ op: 'log1p' }, { op: 'standardize' }] },
    { name: 'temp_max', input: 'temp_max', steps: [{ op: 'standardize' }] },
    { name: 'temp_min', input: 'temp_min', steps: [{ op: 'standardize' }] },
    { name: 'wind', input: 'wind', steps: [{ op: 'impute', strategy: 'median' }, { op: 'standardize' }] },
  ],
};
