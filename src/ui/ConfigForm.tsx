/**
 * Every knob of the config, grouped Data / Attack / Models / Defenses, each with its explanation and
 * the validation messages of `configIssues` beside it. Controls the URL hides (`_hide`) are left out.
 */
import { useMemo } from 'react';
import { configIssues } from '../engine/config-checks';
import { knownLabelCount } from '../store/dataset-spec';
import { isHidden } from '../store/url-state';
import { ALL_FIELDS, FIELD_GROUPS } from './field-table';
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
  // Problems no control owns (e.g. an unknown key) still need saying somewhere.
  const orphans = issues.filter((i) => !ALL_FIELDS.some((f) => f.path === i.field));

  return (
    <form className="config-form" onSubmit={(e) => e.preventDefault()}>
      {orphans.map((i) => (
        <p key={i.field + i.message} className="field-issue">
          {i.field}: {i.message}
        </p>
      ))}
      {FIELD_GROUPS.map((group) => {
        const visible = group.fields.filter((f) => !isHidden(hidden, f.path));
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
    </form>
  );
}
