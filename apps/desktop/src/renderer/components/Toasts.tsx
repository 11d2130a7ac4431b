/** Renders the toast stack as a polite live region so screen readers announce arrivals. */
import { useToasts } from '../stores/toasts.js';

export function Toasts() {
  const { toasts, dismiss } = useToasts();
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind === 'error' ? 'error' : ''}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <div className="grow">{t.text}</div>
          {t.action && (
            <button type="button" onClick={() => { t.action?.run(); dismiss(t.id); }}>{t.action.label}</button>
          )}
          <button type="button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
