/**
 * A labelled bar with fixed-width figures: streaming events change its numbers, never its size. `discovering`: the
 * total is what a selection has found so far and still grows, so the figures say so rather than promise an end.
 */
export function ProgressBar(props: {
  label: string;
  done: number;
  total: number;
  testId: string;
  discovering?: boolean;
}) {
  const { label, done, total, testId, discovering = false } = props;
  const percent = total === 0 ? 0 : Math.floor((done / total) * 100);
  return (
    <div
      class="bar"
      data-testid={testId}
      data-done={done}
      data-total={total}
      data-percent={percent}
      data-discovering={discovering ? 'yes' : 'no'}
    >
      <span class="bar-label">{label}</span>
      <progress
        max={Math.max(total, 1)}
        value={done}
        aria-label={`${label}: ${done} of ${total}${discovering ? ' so far, discovering' : ''}`}
      />
      <span class="figures">
        {done} / {total}
        {discovering ? '+ discovering…' : ` (${percent}%)`}
      </span>
    </div>
  );
}
