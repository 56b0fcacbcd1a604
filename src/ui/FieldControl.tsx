/**
 * One knob: label, control, its one-line explanation and, beside it, what is wrong with its value.
 * Number fields keep what is typed (so "1e-" can become "1e-4") and only commit parseable numbers.
 */
import { useEffect, useState } from 'react';
import { getAt, parseLeaf, type LeafValue } from '../store/config-paths';
import { classWithName, knownLabelNames } from '../store/dataset-spec';
import type { FieldSpec } from './field-table';
import { DatasetPicker } from './DatasetPicker';
import { TriggerPreview } from './TriggerPreview';
import { useLab } from './lab-context';

interface Props {
  spec: FieldSpec;
  issues: string[];
}

export function FieldControl({ spec, issues }: Props) {
  const value = useLab((s) => getAt(s.config, spec.path));
  const setField = useLab((s) => s.setField);
  const [typingIssue, setTypingIssue] = useState<string | null>(null);
  const id = `field-${spec.path}`;
  const shown = typingIssue ? [typingIssue, ...issues] : issues;
  return (
    <div className={shown.length > 0 ? 'field invalid' : 'field'} data-testid={id}>
      <label htmlFor={id}>{spec.label}</label>
      <div className="control">
        <Control spec={spec} id={id} value={value} onCommit={(v) => setField(spec.path, v)} onTypingIssue={setTypingIssue} />
      </div>
      <p className="help">{spec.help}</p>
      {/* What the model will read: a trigger split into pieces clean text shares makes a different backdoor. */}
      {spec.path === 'attack.trigger' && <TriggerPreview />}
      {shown.map((message) => (
        <p key={message} className="field-issue" data-testid={`issue-${spec.path}`}>
          {message}
        </p>
      ))}
    </div>
  );
}

interface ControlProps {
  spec: FieldSpec;
  id: string;
  value: LeafValue | undefined;
  onCommit(value: LeafValue): void;
  onTypingIssue(message: string | null): void;
}

function Control({ spec, id, value, onCommit, onTypingIssue }: ControlProps) {
  const { control } = spec;
  switch (control.kind) {
    case 'custom':
      return <DatasetPicker />;
    case 'number':
      return <NumberInput id={id} path={spec.path} value={typeof value === 'number' ? value : NaN} control={control} onCommit={onCommit} onTypingIssue={onTypingIssue} />;
    case 'class':
      return <ClassSelect id={id} path={spec.path} value={typeof value === 'number' ? value : NaN} onCommit={onCommit} onTypingIssue={onTypingIssue} />;
    case 'text':
      return <input id={id} type="text" value={String(value ?? '')} onChange={(e) => onCommit(e.target.value)} />;
    case 'bool':
      return <input id={id} type="checkbox" checked={value === true} onChange={(e) => onCommit(e.target.checked)} />;
    case 'select':
      return (
        <select id={id} value={String(value ?? '')} onChange={(e) => onCommit(e.target.value)}>
          {control.options.map((o) => (
            <option key={o} value={o} title={control.titles?.[o]}>
              {control.labels?.[o] ?? o}
            </option>
          ))}
        </select>
      );
    case 'multi': {
      const selected = Array.isArray(value) ? value : [];
      const toggle = (option: string, on: boolean) =>
        // Options order, not click order, so the URL and the run order stay stable.
        onCommit(control.options.filter((o) => (o === option ? on : selected.includes(o))));
      return (
        <div id={id} className="multi" role="group" aria-label={spec.label}>
          {control.options.map((o) => (
            <label key={o} title={control.titles?.[o]}>
              <input type="checkbox" checked={selected.includes(o)} onChange={(e) => toggle(o, e.target.checked)} /> {control.labels?.[o] ?? o}
            </label>
          ))}
        </div>
      );
    }
  }
}

/**
 * A class index chosen by name: one option per class of the dataset ("0 (ham)"). A value the dataset has
 * no class for stays listed, named as such, beside the check's message; where the classes are not known
 * before loading (a link to a file this page does not have), a number.
 */
function ClassSelect({ id, path, value, onCommit, onTypingIssue }: { id: string; path: string; value: number; onCommit(value: number): void; onTypingIssue(message: string | null): void }) {
  const names = useLab((s) => knownLabelNames(s.config.data.source, s.upload));
  if (!names) return <NumberInput id={id} path={path} value={value} control={{ kind: 'number', step: 1, min: 0 }} onCommit={onCommit} onTypingIssue={onTypingIssue} />;
  const indices = names.map((_, i) => i);
  if (Number.isInteger(value) && !indices.includes(value)) indices.push(value);
  return (
    <select id={id} value={String(value)} data-testid={`class-select-${path}`} onChange={(e) => onCommit(Number(e.target.value))}>
      {indices.map((i) => (
        <option key={i} value={String(i)}>
          {classWithName(i, names)}
        </option>
      ))}
    </select>
  );
}

interface NumberInputProps {
  id: string;
  path: string;
  value: number;
  control: Extract<FieldSpec['control'], { kind: 'number' }>;
  onCommit(value: number): void;
  onTypingIssue(message: string | null): void;
}

function NumberInput({ id, path, value, control, onCommit, onTypingIssue }: NumberInputProps) {
  const [text, setText] = useState(String(value));
  // A preset or a pasted link changed the value: show it, unless the text already means it.
  useEffect(() => {
    if (Number(text) !== value) {
      setText(String(value));
      onTypingIssue(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <input
      id={id}
      type="text"
      inputMode="decimal"
      value={text}
      data-step={control.step}
      onChange={(e) => {
        setText(e.target.value);
        const parsed = parseLeaf(path, e.target.value);
        if (parsed.ok && typeof parsed.value === 'number') {
          onTypingIssue(null);
          onCommit(parsed.value);
        } else onTypingIssue(`"${e.target.value}" is not a number`);
      }}
    />
  );
}
