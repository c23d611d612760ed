/** Everything of an error that a log line, a stack trace or a JSON answer could show: where no credential may appear. */
export function errorText(error: Error): string {
  return `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
}
