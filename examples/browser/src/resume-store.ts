/** What the page has shown of one deletion, kept in sessionStorage so a reload resumes after it. */
export interface ShownEvent {
  sequence: number;
  videoId: string;
  status: string;
  error: string | null;
}

const key = (operationId: string): string => `unreel-example:${operationId}`;

export function loadShown(operationId: string): ShownEvent[] {
  try {
    const stored = sessionStorage.getItem(key(operationId));
    return stored ? (JSON.parse(stored) as ShownEvent[]) : [];
  } catch {
    return [];
  }
}

export function saveShown(operationId: string, events: readonly ShownEvent[]): void {
  sessionStorage.setItem(key(operationId), JSON.stringify(events));
}

/** The operation in the URL (`?op=`), so a reload, a bookmark or a second tab finds it. */
export function operationInUrl(): string | null {
  return new URLSearchParams(location.search).get('op');
}

export function setOperationInUrl(operationId: string | null): void {
  const url = new URL(location.href);
  if (operationId) url.searchParams.set('op', operationId);
  else url.searchParams.delete('op');
  history.replaceState(null, '', url);
}
