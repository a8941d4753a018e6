/** Only a path inside the console: `?redirect=https://elsewhere` must not send a user away. */
export function safeRedirect(target: unknown): string {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : '/services';
}
