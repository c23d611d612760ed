#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreatePluginError, createPlugin } from '../create-plugin.js';
import { PluginNameError } from '../plugin-names.js';
import { findUnreelWorkspace, registryRange } from '../unreel-range.js';

const usage = `usage: create-unreel-plugin <directory> [options]

Creates an unreel provider plugin package in <directory> (new or empty): settings, provider, HTTP simulator,
conformance test and README, which build and pass the suite as generated.

  --id <id>              provider id, kebab-case (default: the folder's name without "unreel-plugin-")
  --name <package>       npm package name (default: unreel-plugin-<id>)
  --display-name <name>  the provider's name for people (default: from the id)
  --workspace            depend on unreel's packages as workspace:* (default inside the unreel repository)
  --registry             depend on them by version range from the registry (default elsewhere)
  -h, --help             this text`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        id: { type: 'string' },
        name: { type: 'string' },
        'display-name': { type: 'string' },
        workspace: { type: 'boolean' },
        registry: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return;
  }
  const [directory] = positionals;
  if (directory === undefined || positionals.length > 1) fail(usage);
  if (values.workspace && values.registry) fail('--workspace and --registry exclude each other');
  const workspace = values.registry ? undefined : await findUnreelWorkspace(path.dirname(path.resolve(directory)));
  if (values.workspace && workspace === undefined) fail(`--workspace: ${directory} is not inside an unreel checkout`);
  const unreelRange = workspace === undefined ? await registryRange() : 'workspace:*';

  try {
    const created = await createPlugin({
      directory,
      unreelRange,
      ...(values.id === undefined ? {} : { id: values.id }),
      ...(values.name === undefined ? {} : { packageName: values.name }),
      ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
    });
    const where = path.relative(process.cwd(), created.directory) || '.';
    console.log(`Created ${created.names.packageName} (provider id "${created.names.id}") in ${where}:`);
    for (const file of created.files) console.log(`  ${file}`);
    console.log(
      workspace === undefined
        ? `\nNext:\n  cd ${where}\n  npm install\n  npm test`
        : [
            `\nInside the unreel workspace (${workspace}), depending on workspace:*. Next:`,
            `  add { "path": "${path.relative(workspace, created.directory)}" } to the references of tsconfig.json (pnpm build builds it)`,
            `  pnpm install`,
            `  cd ${where} && pnpm test`,
          ].join('\n'),
    );
  } catch (error) {
    if (error instanceof PluginNameError || error instanceof CreatePluginError) fail(error.message);
    throw error;
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

await main();
