/** `Authorization` value for HTTP Basic: api.video (key + empty password) and FastPix (token id + secret). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
