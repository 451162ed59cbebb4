import { defineConfig } from '@hotstandby/core';

// A TypeScript config: the same keys as the JSON files, with types and comments.
export default defineConfig({
  primary: { name: 'primary', port: 6543 },
  standbys: [
    { name: 'replica-a', port: 6544 },
    { name: 'replica-b', port: 6545 },
  ],
  replication: { user: 'repuser', passwordEnv: 'REPUSER_PASSWORD', connectionLimit: 5 },
  wal: { keepSize: '512MB', maxSlotKeepSize: '4GB' },
  archive: true,
});
