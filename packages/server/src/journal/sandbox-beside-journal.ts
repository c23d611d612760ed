import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AccountConfig } from '../config/config-schema.js';
import type { OpenedJournal } from './open-journal.js';

const SANDBOX_PLUGIN = '@unreel/plugin-sandbox';
/** Beside `journal.db`: the embedded default's one sandbox account keeps its library here. */
const STATE_FILE = 'sandbox-state.jsonl';

/**
 * The embedded default's sandbox keeps its library in a file beside the journal (the sandbox's `stateFile`), so that
 * after a restart the two agree: a video the journal says was deleted is deleted at the provider too, and can be
 * restored. The file lives and dies with the journal: a start that created the journal (the first one, or
 * `--new-journal` after the journal vanished) starts the sandbox from its seed again, so an empty journal never faces
 * a library with deletions nobody recorded. Only for the embedded default: a config names its own `stateFile`.
 */
export function sandboxBesideJournal(
  accounts: readonly AccountConfig[],
  journal: OpenedJournal,
  logger: Logger,
): AccountConfig[] {
  if (journal.description.driver !== 'sqlite') return [...accounts];
  const stateFile = path.join(path.dirname(journal.description.path), STATE_FILE);
  if (journal.created && existsSync(stateFile)) {
    rmSync(stateFile);
    logger.info({ sandboxState: stateFile }, 'sandbox state reset: the journal is new');
  }
  return accounts.map((account) =>
    account.plugin === SANDBOX_PLUGIN ? { ...account, settings: { ...account.settings, stateFile } } : account,
  );
}
