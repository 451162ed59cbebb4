import { createRequire } from 'node:module';

// This package's version, from its package.json (--version, and what runbooks say wrote them).
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
