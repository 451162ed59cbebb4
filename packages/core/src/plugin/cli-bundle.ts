// What the CLI's bundle tells the engine bundled into it (scripts/bundle-cli.mjs sets it at build time).
export interface CliBundle {
  // The URL of the bundle's own @hotstandby/core entry: the one instance of the engine in the process.
  coreEntry: string;
}

// The bundle this engine runs in; undefined when hotstandby runs unbundled (its sources, or the packages' dist/).
export const CLI_BUNDLE: CliBundle | undefined = (import.meta as ImportMeta & { hotstandbyBundle?: CliBundle }).hotstandbyBundle;
