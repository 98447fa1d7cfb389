#!/usr/bin/env node
// The `patron` command: runs the TypeScript sources through tsx's loader, no build step needed.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '../server/src/main.ts')).href);
