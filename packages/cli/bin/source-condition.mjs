// Module hook for running from the checkout: every import also matches the "source" export condition, so the
// workspace's @hotstandby packages load from src/*.ts (as `node --conditions=source` would, set from inside).
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('source') ? context.conditions : [...context.conditions, 'source'];
  return nextResolve(specifier, { ...context, conditions });
}
