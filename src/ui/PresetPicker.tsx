/** The engine's presets, first thing on the Setup screen; the one matching the config is marked. */
import { useMemo } from 'react';
import { configFromPreset, PRESETS } from '../engine/presets';
import { isHidden } from '../store/url-state';
import { useLab } from './lab-context';

export function PresetPicker() {
  const config = useLab((s) => s.config);
  const hidden = useLab((s) => s.hidden);
  const applyPreset = useLab((s) => s.applyPreset);
  const presetJson = useMemo(() => PRESETS.map((p) => JSON.stringify(configFromPreset(p.name))), []);
  if (isHidden(hidden, 'presets')) return null;
  const current = JSON.stringify(config);
  return (
    <div className="presets">
      {PRESETS.map((preset, i) => (
        <button
          key={preset.name}
          type="button"
          className={presetJson[i] === current ? 'preset active' : 'preset'}
          aria-pressed={presetJson[i] === current}
          data-testid={`preset-${preset.name}`}
          onClick={() => applyPreset(preset.name)}
        >
          <strong>{preset.title}</strong>
          <span>{preset.description}</span>
        </button>
      ))}
    </div>
  );
}
