/**
 * @module engine/bus
 * The engine's push channel: a synchronous fan-out of DesktopEvents to the
 * transports (IPC, SSE). A listener that throws is isolated so one broken
 * window or closed stream cannot stop the others from hearing.
 */
import type { DesktopEvent } from '../shared/events.js';

export type EventListener = (event: DesktopEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: DesktopEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A dead transport is its own problem; it unsubscribes when it notices.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
