import cliProgress from 'cli-progress';
import type { DeletionProgressEvent, DeletionResultFieldsFragment, RetryInfo } from '@unreel/client';
import { EXIT } from './exit-codes.js';
import { discoveryLine, itemLine, operationLine, resultLine } from './json-lines.js';
import { formatDuration, formatRate, RateMeter } from './rate-meter.js';
import type { Printer } from './terminal.js';

const SUCCEEDED_ITEM = new Set(['DELETED', 'NOT_FOUND', 'RESTORED']);
/** A selection's item as discovered: not an outcome, so a terminal shows it in the bar's total, not as a line. */
const DISCOVERED_ITEM = 'PENDING';

/**
 * Shows a deletion as it runs. `--json`: one line per event on stdout. Otherwise a line per event on stdout when it is
 * not a terminal (piped), and a bar with rate and ETA on stderr when that is one; on a terminal with the bar, only the
 * items that did not succeed get a line, printed above the bar.
 */
export class ProgressReporter {
  private bars: cliProgress.MultiBar | undefined;
  private bar: cliProgress.SingleBar | undefined;
  private readonly meter: RateMeter;
  private failed = 0;
  /** A selection's discovery as last seen; undefined for ids. */
  private discovery: string | undefined;
  private maxItems: number | undefined;
  /** The last sequence shown: where `unreel watch --after` resumes. */
  lastSequence: number;

  constructor(
    private readonly printer: Printer,
    { after = 0, now = Date.now }: { after?: number; now?: () => number } = {},
  ) {
    this.lastSequence = after;
    this.meter = new RateMeter(now);
  }

  private get linesOnStdout(): boolean {
    return !this.printer.json && !this.printer.terminal.stdout.isTTY;
  }

  private get showsBar(): boolean {
    return !this.printer.json && this.printer.terminal.stderr.isTTY === true;
  }

  /**
   * The operation's id, first of all, so whoever runs this can resume or cancel it whatever happens next. `maxItems`:
   * a selection, whose total grows while it is discovered.
   */
  operation(operationId: string, total: number | undefined, maxItems?: number): void {
    this.printer.out(`operation ${operationId}`, operationLine(operationId));
    if (maxItems !== undefined) {
      this.maxItems = maxItems;
      this.discovery = 'DISCOVERING';
    }
    if (!this.showsBar) return;
    this.bars = new cliProgress.MultiBar(
      {
        stream: this.printer.terminal.stderr,
        format: ' {bar} {percentage}% | {value}/{total}{discovering} | {speed} | ETA {remaining} | {failed} failed',
        hideCursor: true,
        barsize: 30,
        // Redraw on a timer rather than per event: a burst of replayed events costs one redraw.
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.bars.create(total ?? 0, 0, {
      speed: formatRate(undefined),
      remaining: '--',
      failed: 0,
      discovering: this.discovery === 'DISCOVERING' ? ' discovering…' : '',
    });
  }

  item(event: DeletionProgressEvent): void {
    this.lastSequence = event.sequence;
    const ok = SUCCEEDED_ITEM.has(event.item.status);
    if (event.item.status === 'FAILED') this.failed += 1;
    this.meter.record(event.completed);
    if (this.printer.json) {
      this.printer.terminal.stdout.write(`${JSON.stringify(itemLine(event))}\n`);
    } else {
      const line = describeItem(event);
      if (this.linesOnStdout || !this.bars) this.printer.terminal.stdout.write(`${line}\n`);
      else if (!ok && event.item.status !== DISCOVERED_ITEM) this.bars.log(`${line}\n`);
    }
    if (this.bar) {
      this.bar.setTotal(event.total);
      const discovering = event.discovery === 'DISCOVERING';
      this.bar.update(event.completed, {
        speed: formatRate(this.meter.rate()),
        // While discovering, the total is what was found so far: no ETA against it.
        remaining: discovering ? '--' : formatDuration(this.meter.etaMs(event.total)),
        failed: this.failed,
        discovering: discovering ? ' discovering…' : '',
      });
    }
    this.discoveryChanged(event.operationId, event.discovery ?? undefined, event.total);
  }

  /** Says once, in words, how discovery ended; CAPPED above all, since more videos may match than were deleted. */
  private discoveryChanged(operationId: string, discovery: string | undefined, total: number): void {
    if (discovery === undefined || discovery === this.discovery) return;
    this.discovery = discovery;
    if (discovery === 'DISCOVERING') return;
    const text =
      discovery === 'CAPPED'
        ? `discovery CAPPED: --max-items ${this.maxItems ?? total} reached, listing stopped; more videos may match (run again to delete them)`
        : discovery === 'DONE'
          ? `discovery DONE: ${total} matching videos found, no more to find`
          : `discovery ${discovery}: ${total} videos found; listing stopped`;
    if (this.bars) this.bars.log(`${text}\n`);
    else this.printer.out(text, discoveryLine(operationId, discovery, total));
  }

  retry(info: RetryInfo): void {
    const line = `connection lost (${info.error.message}); trying again in ${formatDuration(info.delayMs)} (retry ${info.attempt})`;
    if (this.bars) this.bars.log(`${line}\n`);
    else this.printer.note(line);
  }

  /** Stops the bar, leaving it drawn as it last was, before anything else is printed. */
  stop(): void {
    this.bars?.stop();
    this.bars = undefined;
  }

  result(result: DeletionResultFieldsFragment): void {
    // A watch that started after the last event has drawn nothing yet: the bar ends on the operation's own counts (and
    // a selection's discovery may have ended after its last item event).
    this.bar?.setTotal(result.total);
    this.bar?.update(result.total - result.pending, {
      failed: result.failed,
      remaining: formatDuration(this.meter.etaMs(result.total)),
      discovering: '',
    });
    this.stop();
    this.discoveryChanged(result.id, result.discovery ?? undefined, result.total);
    this.printer.out(describeResult(result), resultLine(result));
  }
}

function describeItem(event: DeletionProgressEvent): string {
  const { item } = event;
  const total = event.discovery === 'DISCOVERING' ? `${event.total}+ discovering` : `${event.total}`;
  let line = `[${event.completed}/${total}] ${item.videoId} ${item.status}`;
  if (item.error) {
    line += ` ${item.error.code}: ${item.error.message}`;
    if (item.error.retryable)
      line += item.error.retryAfter ? ` (retryable after ${item.error.retryAfter})` : ' (retryable)';
  }
  return line;
}

export function describeResult(result: DeletionResultFieldsFragment): string {
  return (
    `${result.status}: ${result.total} items, ${result.deleted} deleted, ${result.notFound} not found, ` +
    `${result.failed} failed, ${result.cancelled} cancelled, ${result.restored} restored, ${result.pending} pending` +
    (result.discovery ? `, discovery ${result.discovery}` : '')
  );
}

/** 0 when every item succeeded, 1 when some failed or the operation did not succeed as a whole. */
export function exitCodeOfResult(result: DeletionResultFieldsFragment): number {
  return result.status === 'SUCCEEDED' && result.failed === 0 && result.cancelled === 0 ? EXIT.ok : EXIT.itemsFailed;
}
