/** Keys of a shared link that could not be applied: said once, never fatal. */
import { useLab } from './lab-context';

export function UrlWarnings() {
  const warnings = useLab((s) => s.urlWarnings);
  if (warnings.length === 0) return null;
  return (
    <div className="notice" data-testid="url-warnings">
      This link had settings the lab could not use: {warnings.join('; ')}.
    </div>
  );
}
