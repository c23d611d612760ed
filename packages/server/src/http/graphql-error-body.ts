/** A GraphQL-shaped error body for answers given before GraphQL runs (auth, body parsing), so clients parse one shape. */
export function graphqlErrorBody(
  message: string,
  code: string,
  extensions: Record<string, unknown> = {},
): { errors: { message: string; extensions: Record<string, unknown> }[] } {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}
