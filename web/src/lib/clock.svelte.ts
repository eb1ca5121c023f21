import { createSubscriber } from 'svelte/reactivity';

/**
 * The current time as a reactive value that ticks once a second, only while something on the page
 * reads it (countdowns). Reading `now` outside a reactive context just returns Date.now().
 */
export class Clock {
  readonly #subscribe = createSubscriber((update) => {
    const timer = setInterval(update, 1000);
    return () => clearInterval(timer);
  });

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();
