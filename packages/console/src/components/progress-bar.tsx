/** A labelled bar with fixed-width figures: streaming events change its numbers, never its size. */
export function ProgressBar(props: { label: string; done: number; total: number; testId: string }) {
  const { label, done, total, testId } = props;
  const percent = total === 0 ? 0 : Math.floor((done / total) * 100);
  return (
    <div class="bar" data-testid={testId} data-done={done} data-total={total} data-percent={percent}>
      <span class="bar-label">{label}</span>
      <progress max={Math.max(total, 1)} value={done} aria-label={`${label}: ${done} of ${total}`} />
      <span class="figures">
        {done} / {total} ({percent}%)
      </span>
    </div>
  );
}
