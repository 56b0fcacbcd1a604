/**
 * A value that follows `value` one timer later, in a task of its own. Each chart re-render costs a
 * recharts update cascade; giving each chart its own task keeps every main-thread task short while
 * training streams in (the e2e suite checks for tasks over 200 ms).
 */
import { useEffect, useState } from 'react';

export function useStaggered<T>(value: T, delayMs: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setShown(() => value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return shown;
}
