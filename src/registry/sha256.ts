/** Lower-case hex SHA-256 through WebCrypto, which Node 20 and browsers both provide as `crypto.subtle`. */
export async function sha256Hex(data: BufferSource): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
