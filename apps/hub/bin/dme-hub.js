#!/usr/bin/env node
// Thin shim: the compiled CLI lives in dist (run `npm run build` first).
import '../dist/node/cli.js';
