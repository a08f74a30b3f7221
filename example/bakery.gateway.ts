import { UseFilters, UseGuards } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { CapabilitiesWsFilter, CapabilityGuard, CurrentUser, RequireCapability, type Principal } from '../src';
import { BakeryService } from './bakery.service';

/**
 * The bakery over socket.io (path `/socket.io/`): the caller is read at the handshake
 * (`auth: { token }`, or the session cookie from the app's own origin) and checked again
 * at every message; a denial is an `exception` event `{status, message, code}`.
 */
@WebSocketGateway()
@UseGuards(CapabilityGuard)
@UseFilters(CapabilitiesWsFilter)
export class BakeryGateway {
  constructor(private readonly bakery: BakeryService) {}

  @SubscribeMessage('menu')
  @RequireCapability('read')
  menu(): { event: string; data: { items: string[] } } {
    return { event: 'menu', data: { items: this.bakery.menu() } };
  }

  /** Send `{ food: 'croissant' }`; the answer is a `baked` event. */
  @SubscribeMessage('bake')
  @RequireCapability('bake')
  bake(@CurrentUser() user: Principal, @MessageBody('food') food: unknown): { event: string; data: { baked: string; by: string } } {
    return { event: 'baked', data: this.bakery.bake(food, user) };
  }

  /** Send `{ shop: 'paris', food: 'croissant' }`: needs `bake` at `shop:paris`; answered as `bake` is. */
  @SubscribeMessage('bakeAt')
  @RequireCapability('bake', { scope: 'shop:{shop}' })
  bakeAt(@CurrentUser() user: Principal, @MessageBody('food') food: unknown): { event: string; data: { baked: string; by: string } } {
    return { event: 'baked', data: this.bakery.bake(food, user) };
  }
}
