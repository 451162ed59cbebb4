// A process that opens an SSH connection, forwards a PostgreSQL port through it and then only waits (to be killed):
// argv[2] is the target as JSON, argv[3] the remote port, argv[4] the master's persist time in seconds. It prints
// the connection's control directory (where its forwarded socket lives) once the forward is made.
import path from 'node:path';
import { SshConnection } from '../../packages/core/src/hosts/ssh-connection.js';

const [targetJson, port, persist] = process.argv.slice(2);
const connection = await SshConnection.open(JSON.parse(targetJson!), { controlPersistSeconds: Number(persist) });
const { socketDir } = await connection.forwardPostgres(Number(port));
process.stdout.write(`${path.dirname(socketDir)}\n`);
setInterval(() => undefined, 60_000);
