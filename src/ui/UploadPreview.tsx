/** The uploaded file at a glance: label counts and the first rows of each split. */
import type { UploadedFile } from '../store/lab-store';

export function UploadPreview({ upload }: { upload: UploadedFile }) {
  const total = upload.counts.reduce((a, b) => a + b, 0);
  return (
    <div className="upload-preview" data-testid="upload-preview">
      <p>
        <strong>{upload.fileName}</strong>: {total} examples —{' '}
        <span data-testid="upload-counts">
          {upload.labelNames.map((name, i) => `${name}: ${upload.counts[i] ?? 0}`).join(' · ')}
        </span>
      </p>
      {upload.notices.length > 0 && (
        <ul className="notice" data-testid="upload-notices">
          {upload.notices.map((n) => (
            <li key={n}>{n}.</li>
          ))}
        </ul>
      )}
      <table>
        <thead>
          <tr>
            <th>Split</th>
            <th>Label</th>
            <th>Text</th>
          </tr>
        </thead>
        <tbody>
          {upload.preview.map((row, i) => (
            <tr key={i}>
              <td>{row.split}</td>
              <td>{row.labelName}</td>
              <td className="text-cell">{row.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
