import type { Command } from 'commander';

// One command as shell completion sees it: its path of names, what follows it, and its options.
export interface CompletionNode {
  // Command names from the program down, e.g. ['pg', 'install'] ([] for the program itself).
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  options: CompletionOption[];
  // Fixed values of its first argument (e.g. the shells of `completion`), else empty.
  argumentChoices: string[];
}

// One option: its flags (long and short) and whether it takes a value, with its fixed values if any.
export interface CompletionOption {
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: string[];
}

// Every command of the program, read from the commander definitions (so completion never drifts from them).
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string[]) => {
    const visible = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    const help = command.createHelp();
    nodes.push({
      path,
      description: command.description(),
      subcommands: visible.map((c) => ({ name: c.name(), description: c.description() })),
      options: [...help.visibleOptions(command)].map((o) => ({
        flags: [o.long, o.short].filter((f): f is string => typeof f === 'string'),
        description: o.description,
        takesValue: o.required || o.optional,
        choices: o.argChoices ?? [],
      })),
      argumentChoices: command.registeredArguments[0]?.argChoices ?? [],
    });
    for (const sub of visible) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}
