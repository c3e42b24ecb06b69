/** The runtime's version, matched against a model version's `requirements.runtime`. Kept in step with package.json by a unit test. */
export const EDGEWATCH_VERSION = '0.1.0';
