/**
 * Progress bar with an accessible name and value (role="progressbar"), used
 * for every transfer and import. `value` undefined = indeterminate.
 */
export function ProgressBar(props: { label: string; value: number | undefined; state?: 'running' | 'done' | 'failed' }) {
  const { label, value, state = 'running' } = props;
  const width = value === undefined ? 100 : value;
  return (
    <div
      className={`progress ${state === 'running' ? '' : state}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={state === 'failed' ? 'failed' : value === undefined ? 'working' : `${value}%`}
    >
      <span style={{ width: `${width}%`, opacity: value === undefined && state === 'running' ? 0.4 : 1 }} />
    </div>
  );
}
