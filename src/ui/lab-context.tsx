/** Hands the store and the actions to every component; tests can render with a store of their own. */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LabActions } from '../store/lab-actions';
import type { LabState, LabStore } from '../store/lab-store';

interface LabContextValue {
  store: LabStore;
  actions: LabActions;
}

const LabContext = createContext<LabContextValue | null>(null);

export function LabProvider({ store, actions, children }: LabContextValue & { children: ReactNode }) {
  return <LabContext.Provider value={{ store, actions }}>{children}</LabContext.Provider>;
}

function useLabContext(): LabContextValue {
  const value = useContext(LabContext);
  if (!value) throw new Error('useLab needs a <LabProvider> above it');
  return value;
}

/** One field of the store; the component re-renders only when that field changes. */
export function useLab<T>(selector: (state: LabState) => T): T {
  return useStore(useLabContext().store, selector);
}

export function useActions(): LabActions {
  return useLabContext().actions;
}
