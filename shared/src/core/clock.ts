/** The only source of time for domain code. */
export interface Clock {
  now(): Date;
}

/** Wall clock; composition roots use it, tests use {@link fixedClock}. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at `iso` that can be moved forward with `advance(ms)`. */
export function fixedClock(iso: string): Clock & { advance(ms: number): void; set(iso: string): void } {
  let t = new Date(iso).getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (value) => {
      t = new Date(value).getTime();
    },
  };
}
