#!/usr/bin/env node
// The `edgewatch` executable: compiled to dist/cli/bin.js for the package; in the repo, bin.mjs runs it through tsx.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
