/** An error sentence announced to assistive technology; renders nothing when there is none. */
export function ErrorText({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return <div className="error" role="alert">{error}</div>;
}
