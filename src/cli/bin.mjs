#!/usr/bin/env node
// The repo's development entry (`npx edgewatch` in a checkout): loads the TypeScript CLI through tsx,
// a devDependency. The published package runs the compiled dist/cli/bin.js instead, which needs no tsx.
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
