/**
 * The one spelling of "this version of this model" in keys and messages: `${model}@${version}`. Cache
 * rows, monitoring rows and bad-version marks all build on it, so it must never change.
 */
export function versionKey(model: string, version: string): string {
  return `${model}@${version}`;
}
