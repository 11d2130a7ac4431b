/**
 * In-app notifications (toasts). In browser mode they stand in for the native
 * notifications the Electron main raises; each disappears after a while.
 */
import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** Optional action, e.g. open the dataset that just arrived. */
  action?: { label: string; run: () => void };
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id'>, ttlMs?: number): number;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push(t, ttlMs = 8000) {
    const id = nextId++;
    // Keep the five newest so a burst of imports cannot cover the screen.
    set({ toasts: [...get().toasts, { ...t, id }].slice(-5) });
    if (ttlMs > 0) setTimeout(() => get().dismiss(id), ttlMs);
    return id;
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));
