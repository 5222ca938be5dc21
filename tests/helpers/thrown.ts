import { expect } from 'vitest';

// For tests about what an error says: the error itself, after checking its
// class, or a failure when nothing was thrown.

/** What `fn` throws, which must be a `type`; fails the test, naming `expected`, when `fn` returns. */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown, expected: string): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${expected}`);
}
