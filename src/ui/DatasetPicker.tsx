/**
 * Where the data comes from: the bundled spam corpus (offline), an online SetFit set (fetched by the
 * worker), or an uploaded JSONL/CSV/TSV file (parsed here for the preview; a bad file leaves the
 * current dataset in place and says why).
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { SETFIT_SOURCES, isSetFitName, type SetFitName } from '../engine/data/url';
import { MAX_UPLOAD_BYTES } from '../engine/data/upload';
import { BUNDLED_SOURCE } from '../store/dataset-spec';
import { useActions, useLab } from './lab-context';
import { UploadPreview } from './UploadPreview';

type Mode = 'bundled' | 'online' | 'upload';

function modeOf(source: string): Mode {
  if (source === BUNDLED_SOURCE) return 'bundled';
  return isSetFitName(source) ? 'online' : 'upload';
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const SETFIT_NAMES = Object.keys(SETFIT_SOURCES).filter(isSetFitName);

export function DatasetPicker() {
  const source = useLab((s) => s.config.data.source);
  const upload = useLab((s) => s.upload);
  const setField = useLab((s) => s.setField);
  const actions = useActions();
  // "Your file" picked but no file loaded yet: the source is still the previous dataset.
  const [wantsUpload, setWantsUpload] = useState(false);
  // A preset, a link or a loaded file changed the source: the radios follow it.
  useEffect(() => setWantsUpload(false), [source]);
  const mode = wantsUpload ? 'upload' : modeOf(source);
  const onlineName: SetFitName = isSetFitName(source) ? source : 'sst2';

  const choose = (next: Mode) => {
    setWantsUpload(next === 'upload');
    if (next === 'bundled') setField('data.source', BUNDLED_SOURCE);
    if (next === 'online') setField('data.source', onlineName);
    if (next === 'upload' && upload) setField('data.source', upload.fileName);
  };

  const progress = useLab((s) => s.uploadProgress);
  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) void actions.uploadFile(file);
  };

  return (
    <div className="dataset-picker" data-testid="dataset-picker">
      <label>
        <input type="radio" name="dataset" checked={mode === 'bundled'} onChange={() => choose('bundled')} data-testid="dataset-bundled" /> Bundled spam corpus
        (offline)
      </label>
      <label>
        <input type="radio" name="dataset" checked={mode === 'online'} onChange={() => choose('online')} data-testid="dataset-online" /> Online (Hugging Face
        SetFit)
      </label>
      {mode === 'online' && (
        <select aria-label="Online dataset" value={onlineName} onChange={(e) => setField('data.source', e.target.value)}>
          {SETFIT_NAMES.map((name) => (
            <option key={name} value={name}>
              {SETFIT_SOURCES[name].title}
            </option>
          ))}
        </select>
      )}
      <label>
        <input type="radio" name="dataset" checked={mode === 'upload'} onChange={() => choose('upload')} data-testid="dataset-upload" /> Your file (JSONL, CSV,
        TSV)
      </label>
      {mode === 'upload' && (
        <>
          <input type="file" accept=".jsonl,.ndjson,.json,.csv,.tsv,.tab,.txt" data-testid="upload-input" onChange={onFile} disabled={progress !== null} />
          <span className="hint"> Up to {MAX_UPLOAD_BYTES / 2 ** 20} MB.</span>
          {progress && (
            <p className="hint" data-testid="upload-progress" role="status">
              {progress.phase === 'reading' ? 'Reading' : 'Parsing'} {progress.fileName}: {mb(progress.loaded)} of {mb(progress.total)} MB{' '}
              <progress max={progress.total || 1} value={progress.loaded} aria-label={`Reading ${progress.fileName}`} />
            </p>
          )}
          {upload && upload.fileName === source ? (
            <UploadPreview upload={upload} />
          ) : (
            <p className="hint">
              {source !== BUNDLED_SOURCE && !isSetFitName(source)
                ? `This link uses the file "${source}": upload it again.`
                : `Columns: text and label (sentence/review and class/sentiment work too). Until a file loads, runs use "${source}".`}
            </p>
          )}
        </>
      )}
    </div>
  );
}
