import { ProviderResponseError, describeSchemaIssues, type StandardSchemaV1 } from '@unreel/provider-spec';
import { scrubMessage } from './scrub-message.js';

export interface ParseResponseOptions {
  /** Plugin id, for the message. */
  provider: string;
  /** What was asked, for the message: `GET /videos/{id}`, `the bulk delete answer`. */
  request: string;
  /** Scrubbed from the message, as from every error the client builds. */
  secrets?: readonly string[];
}

/**
 * The one place an answer's body is checked against what the plugin expects: a zod schema or any other Standard
 * Schema. Returns the schema's output; throws `ProviderResponseError` (INVALID_RESPONSE, retryable and ambiguous) when
 * the body is not JSON or not of that shape, with every issue and its path in the message, never the body itself.
 *
 * `body` is what the client read: parsed JSON, or the text when it was not JSON, or undefined when empty. The
 * client's `schema` option calls this for every 2xx answer; call it yourself for a body you read another way.
 */
export async function parseResponse<Schema extends StandardSchemaV1>(
  schema: Schema,
  response: { status: number; body: unknown },
  options: ParseResponseOptions,
): Promise<StandardSchemaV1.InferOutput<Schema>> {
  const result = await schema['~standard'].validate(response.body);
  if (!result.issues) return result.value as StandardSchemaV1.InferOutput<Schema>;
  const base = `${options.provider} answered ${response.status} to ${options.request}`;
  const { body } = response;
  const what =
    body === undefined
      ? 'an empty body'
      : typeof body === 'string'
        ? 'a body that is not JSON'
        : `a body of an unexpected shape (${describeSchemaIssues(result.issues, { root: 'body' })})`;
  throw new ProviderResponseError({
    message: scrubMessage(`${base} with ${what}`, options.secrets),
    status: response.status,
  });
}
