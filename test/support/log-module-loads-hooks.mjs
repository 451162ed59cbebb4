// The module hook log-module-loads.mjs registers.
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) process.stderr.write(`LOADED ${url}\n`);
  return nextLoad(url, context);
}
