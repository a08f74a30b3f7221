import { Injectable } from '@nestjs/common';
import type { Principal } from '../src';

/** What the bakery does, whichever transport asks: HTTP, GraphQL or WebSocket. */
@Injectable()
export class BakeryService {
  menu(): string[] {
    return ['croissant', 'baguette', 'cannolo'];
  }

  /** Bakes `food` (bread unless a name is given; long names are cut) for `baker`. */
  bake(food: unknown, baker: Principal): { baked: string; by: string } {
    return { baked: typeof food === 'string' && food !== '' ? food.slice(0, 64) : 'bread', by: baker.email };
  }
}
