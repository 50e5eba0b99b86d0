#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// React's development build keeps a performance entry per render and never clears them, so a wizard tailing
// logs for an hour would grow without bound: run the production build unless told otherwise. The import is
// dynamic so that it happens after NODE_ENV is set.
process.env.NODE_ENV ??= 'production';
await import('../dist/src/cli.js');
