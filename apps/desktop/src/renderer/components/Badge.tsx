/** A small state pill; the CSS class follows the state word (active, pending, …). */
import type { ReactNode } from 'react';

export function Badge({ state, children }: { state: string; children?: ReactNode }) {
  return <span className={`badge ${state.toLowerCase()}`}>{children ?? state}</span>;
}
