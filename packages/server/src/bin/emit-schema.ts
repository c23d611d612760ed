#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildUnreelSchema } from '../schema/build-schema.js';
import { buildUnreelSubgraphSchema, printUnreelSubgraphSdl } from '../schema/build-subgraph-schema.js';

// dist/bin -> repository root/schema
const schemaDir = fileURLToPath(new URL('../../../../schema/', import.meta.url));
const check = process.argv.includes('--check');

const api = await buildUnreelSchema();
const publicSdl = `${printSchema(lexicographicSortSchema(api))}\n`;
const files = [
  // The public API, what frontends and codegen read: no federation machinery.
  { target: path.join(schemaDir, 'schema.graphql'), sdl: publicSdl },
  // The same, shipped in @unreel/client for a frontend's own codegen (its package has no access to schema/).
  { target: path.join(schemaDir, '..', 'packages', 'client', 'schema.graphql'), sdl: publicSdl },
  // What `_service { sdl }` answers: the subgraph a gateway composes, with its federation directives.
  {
    target: path.join(schemaDir, 'subgraph.graphql'),
    sdl: `${await printUnreelSubgraphSdl(await buildUnreelSubgraphSchema(api))}\n`,
  },
];

let stale = false;
for (const { target, sdl } of files) {
  const shown = path.relative(process.cwd(), target);
  if (check) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current === sdl) {
      process.stdout.write(`${shown} matches the code\n`);
    } else {
      process.stderr.write(`${shown} is out of date: run pnpm schema:emit and commit it\n`);
      stale = true;
    }
  } else {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, sdl);
    process.stdout.write(`wrote ${shown}\n`);
  }
}
if (stale) process.exit(1);
