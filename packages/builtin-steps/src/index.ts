// @hotstandby/builtin-steps: the six built-in steps, for the CLI and for test clusters that build real standbys.
export { BUILTIN_PLUGINS } from './builtin-plugins.js';
