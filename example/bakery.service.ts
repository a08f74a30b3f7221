import { EventEmitter, on } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../src';

/** A bake, as every transport reports it. */
export interface Bake {
  readonly baked: string;
  readonly by: string;
}

/** What the bakery does, whichever transport asks: HTTP, GraphQL or WebSocket. */
@Injectable()
export class BakeryService {
  private readonly ovens = new EventEmitter();

  menu(): string[] {
    return ['croissant', 'baguette', 'cannolo'];
  }

  /** Bakes `food` (bread unless a name is given; long names are cut) for `baker`, and tells the watchers. */
  bake(food: unknown, baker: Principal): Bake {
    const bake = { baked: typeof food === 'string' && food !== '' ? food.slice(0, 64) : 'bread', by: baker.email };
    this.ovens.emit('baked', bake);
    return bake;
  }

  /** Every bake from now on, until the iterator is returned (the subscriber leaves). */
  watchBakes(): AsyncIterableIterator<Bake> {
    const events = on(this.ovens, 'baked') as AsyncIterableIterator<[Bake]>;
    return {
      next: async () => {
        const event = await events.next();
        return event.done === true ? { value: undefined, done: true } : { value: event.value[0], done: false };
      },
      // Stops listening at once, even while a `next` waits for the next bake.
      return: async () => {
        await events.return?.();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
