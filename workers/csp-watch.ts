/**
 * What the Content-Security-Policy blocked in this worker (see src/security-headers.ts): said in the
 * console and kept on the worker's global, so a browser test can check that the engine needs nothing the
 * policy forbids — in the lab's worker and in every defense lane.
 */
export function watchCspViolations(scope: typeof globalThis = globalThis): string[] {
  const blocked: string[] = [];
  (scope as unknown as { __w2sCspViolations: string[] }).__w2sCspViolations = blocked;
  scope.addEventListener('securitypolicyviolation', (event) => {
    const e = event as SecurityPolicyViolationEvent;
    blocked.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline code'}`);
    console.error(`Content-Security-Policy: ${blocked.at(-1)}`);
  });
  return blocked;
}
