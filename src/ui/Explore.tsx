/** The views that explore the trained models and compare triggers, budgets and label modes, one tab each (`tab-<name>`). */
import type { ComponentType } from 'react';
import type { ExploreTab } from '../store/lab-store';
import { BackdoorLocation } from './BackdoorLocation';
import { Compare } from './Compare';
import { FeatureMap } from './FeatureMap';
import { useLab } from './lab-context';
import { TryIt } from './TryIt';

const TABS: readonly { name: ExploreTab; title: string; View: ComponentType; needsRun: boolean }[] = [
  { name: 'try', title: 'Try it', View: TryIt, needsRun: true },
  { name: 'features', title: 'Feature map', View: FeatureMap, needsRun: true },
  { name: 'location', title: 'Where it lives', View: BackdoorLocation, needsRun: true },
  { name: 'compare', title: 'Compare', View: Compare, needsRun: false },
];

export function Explore() {
  const done = useLab((s) => s.run.status === 'done');
  // In the store, not local state: class mode opens the tab a step explains.
  const active = useLab((s) => s.exploreTab);
  const setActive = useLab((s) => s.setExploreTab);
  const current = TABS.find((t) => t.name === active) ?? TABS[0]!;
  return (
    <section className="explore" aria-label="Explore the trained models">
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.name}
            type="button"
            role="tab"
            id={`tab-${t.name}`}
            data-testid={`tab-${t.name}`}
            aria-selected={t.name === active}
            aria-controls={`panel-${t.name}`}
            onClick={() => setActive(t.name)}
          >
            {t.title}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${current.name}`} aria-labelledby={`tab-${current.name}`}>
        {current.needsRun && !done ? <p className="hint">Run the lab first: this view explores the trained models.</p> : <current.View />}
      </div>
    </section>
  );
}
