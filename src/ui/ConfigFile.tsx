/** Save the current settings as a file, or load settings from one (a config or a results file). */
import { configJson } from '../store/exports';
import { downloadText } from './download';
import { useActions, useLab } from './lab-context';

export function ConfigFile() {
  const config = useLab((s) => s.config);
  const actions = useActions();
  return (
    <div className="exports" role="group" aria-label="Config file">
      <button type="button" data-testid="export-config" onClick={() => downloadText(`w2s-config-${config.data.source}-${config.attack.kind}.json`, configJson(config), 'application/json')}>
        Save config
      </button>
      <label className="file-button">
        Load config…
        <input
          type="file"
          accept=".json,application/json"
          data-testid="import-config"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) actions.importConfig(file.name, await file.text());
          }}
        />
      </label>
    </div>
  );
}
