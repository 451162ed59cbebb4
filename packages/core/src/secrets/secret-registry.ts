// Process-wide registry of secret strings: every message, log line and plan the tool prints passes through maskSecrets.
const secrets = new Set<string>();

// The text that replaces a secret in output.
export const MASK = '********';

// Remember a secret so that it is masked wherever it would be printed.
export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length > 0) secrets.add(secret);
}

// Replace every registered secret in the text with the mask, longest first so overlaps mask fully; also mask
// any password=... in a connection string, including one inside a quoted configuration value ('' doubled quotes).
export function maskSecrets(text: string): string {
  if (!text) return text;
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out.replace(/(^|[\s'"])(password\s*=\s*)(''(?:[^']|'''')*''|'(?:[^'\\]|\\.)*'|[^\s']+)/gi, `$1$2${MASK}`);
}

// Forget all secrets (tests only).
export function clearSecretsForTests(): void {
  secrets.clear();
}
