// Renders the GraphiQL page into dist/ (gzipped), once per build: the route serves this file and the published
// package ships it, so GraphiQL needs neither a CDN nor a run-time dependency on its renderer (see graphiql-page.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GRAPHIQL_PAGE_FILE, GRAPHIQL_PAGE_OPTIONS } from '../dist/http/graphiql-page.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const file = path.join(dist, GRAPHIQL_PAGE_FILE);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, gzipSync(renderGraphiQL(GRAPHIQL_PAGE_OPTIONS), { level: 9 }));
