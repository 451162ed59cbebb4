// @hotstandby/builtin-steps: the six built-in steps, for the CLI and for test clusters that build real standbys.
export { BUILTIN_PLUGINS } from './builtin-plugins.js';
// Whether a write a standby refused was verify's own probe (not an application's), for write checks on replicas.
export { isVerifyProbe } from '@hotstandby/plugin-verify';
