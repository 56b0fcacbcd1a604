/**
 * The settings: first the few a class changes (dataset, attack, trigger, poison budget, defenses,
 * seed), then every other knob folded under "Advanced", grouped Data / Attack / Models / Defenses —
 * each with its explanation and the validation messages of `configIssues` beside it. Advanced opens by
 * itself when one of its fields has a problem. Controls the URL hides (`_hide`) are left out.
 */
import { useEffect, useMemo, useState } from 'react';
import { configIssues } from '../engine/config-checks';
import { knownLabelCount } from '../store/dataset-spec';
import { isHidden } from '../store/url-state';
import { ALL_FIELDS, ESSENTIAL_FIELDS, FIELD_GROUPS } from './field-table';
import { FieldControl } from './FieldControl';
import { useLab } from './lab-context';

export function ConfigForm() {
  const config = useLab((s) => s.config);
  const upload = useLab((s) => s.upload);
  const hidden = useLab((s) => s.hidden);
  const issues = useMemo(() => configIssues(config, knownLabelCount(config.data.source, upload)), [config, upload]);
  const byField = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const issue of issues) map.set(issue.field, [...(map.get(issue.field) ?? []), issue.message]);
    return map;
  }, [issues]);
  const essentials = ESSENTIAL_FIELDS.flatMap((path) => ALL_FIELDS.filter((f) => f.path === path && !isHidden(hidden, path)));
  const advanced = ALL_FIELDS.filter((f) => !ESSENTIAL_FIELDS.includes(f.path) && !isHidden(hidden, f.path));
  const advancedCount = advanced.length;
  const advancedIssues = advanced.filter((f) => byField.has(f.path)).length;
  // Opens by itself when a field inside has a problem; otherwise stays as the user left it.
  const [advancedOpen, setAdvancedOpen] = useState(false);
  useEffect(() => {
    if (advancedIssues > 0) setAdvancedOpen(true);
  }, [advancedIssues]);
  // Problems no control owns (e.g. an unknown key) still need saying somewhere.
  const orphans = issues.filter((i) => !ALL_FIELDS.some((f) => f.path === i.field));

  return (
    <form className="config-form" onSubmit={(e) => e.preventDefault()}>
      {orphans.map((i) => (
        <p key={i.field + i.message} className="field-issue">
          {i.field}: {i.message}
        </p>
      ))}
      {essentials.length > 0 && (
        <fieldset className="group" data-testid="group-essentials">
          <legend>The lesson’s settings</legend>
          <p className="intro">What a class changes: the data, the attack and its trigger, how much poison, which defenses, the seed.</p>
          {essentials.map((spec) => (
            <FieldControl key={spec.path} spec={spec} issues={byField.get(spec.path) ?? []} />
          ))}
        </fieldset>
      )}
      <details className="advanced" data-testid="advanced-settings" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
        <summary>
          Advanced: every other setting ({advancedCount}){advancedIssues > 0 ? ` — ${advancedIssues} to fix` : ''}
        </summary>
        {FIELD_GROUPS.map((group) => {
          const visible = group.fields.filter((f) => !ESSENTIAL_FIELDS.includes(f.path) && !isHidden(hidden, f.path));
          if (visible.length === 0) return null;
          return (
            <fieldset key={group.name} className="group" data-testid={`group-${group.name.toLowerCase()}`}>
              <legend>{group.name}</legend>
              <p className="intro">{group.intro}</p>
              {visible.map((spec) => (
                <FieldControl key={spec.path} spec={spec} issues={byField.get(spec.path) ?? []} />
              ))}
            </fieldset>
          );
        })}
      </details>
    </form>
  );
}
