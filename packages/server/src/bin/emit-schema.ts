#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildUnreelSchema } from '../schema/build-schema.js';

// dist/bin -> repository root/schema
const target = fileURLToPath(new URL('../../../../schema/schema.graphql', import.meta.url));
const check = process.argv.includes('--check');

const sdl = `${printSchema(lexicographicSortSchema(await buildUnreelSchema()))}\n`;
if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== sdl) {
    process.stderr.write(`${path.relative(process.cwd(), target)} is out of date: run pnpm schema:emit and commit it\n`);
    process.exit(1);
  }
  process.stdout.write(`${path.relative(process.cwd(), target)} matches the code\n`);
} else {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, sdl);
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}
