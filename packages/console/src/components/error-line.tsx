/** Space kept for a message even when there is none, so one appearing moves nothing below it. */
export function ErrorLine(props: { message: string; testId?: string }) {
  return (
    <p class="error" role="alert" data-testid={props.testId ?? 'error'}>
      {props.message}
    </p>
  );
}
