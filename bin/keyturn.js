#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle (built by `npm ci` through the prepare script). One bundle
// instead of ~400 module files: resolving and reading Ink's and React's files one by one took a third of a second
// of every start, which an operator waiting for the first screen feels. The Kubernetes client stays outside the
// bundle and is loaded lazily, only by commands that talk to the API.
// The bundle holds React's production build only: the development build keeps a performance entry per render and
// never clears them, so a wizard tailing logs for an hour would grow without bound. NODE_ENV is set for the
// libraries outside the bundle that read it at run time.
process.env.NODE_ENV ??= 'production';
await import('../dist/bundle/cli.js');
