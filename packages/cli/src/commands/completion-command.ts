import { Argument, type Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { completionTree } from '../completion/command-tree.js';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../completion/completion-scripts.js';

// `hotstandby completion bash|zsh|fish`: print the shell's completion script, built from the command definitions.
export function registerCompletion(program: Command, cli: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(hotstandby completion bash)", or save it where your shell loads completions')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      cli.out(completionScript(shell, program.name(), completionTree(program)).trimEnd());
    });
}
