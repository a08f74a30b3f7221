import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentUser, RequireCapability, type Principal } from '../src';
import { BakeryService, type Bake } from './bakery.service';

/**
 * The bakery's shops: the same capabilities as the routes of `BakeryController`, needed
 * at the shop (or the oven) the path names, so a grant in caps.yaml's `scopes:` holds
 * in its own shop only.
 */
@Controller('shops/:shop')
export class ShopsController {
  constructor(private readonly bakery: BakeryService) {}

  @Get('menu')
  @RequireCapability('read', { scope: 'shop:{shop}' })
  menu(@Param('shop') shop: string): { shop: string; items: string[] } {
    return { shop, items: this.bakery.menu() };
  }

  @Get('bake')
  @RequireCapability('bake', { scope: 'shop:{shop}' })
  bake(@CurrentUser() user: Principal, @Query('food') food: unknown): Bake {
    return this.bakery.bake(food, user);
  }

  @Get('ovens/:oven/fire')
  @RequireCapability('bake', { scope: 'shop:{shop}/oven:{oven}' })
  fire(@Param('shop') shop: string, @Param('oven') oven: string): { shop: string; oven: string; fired: boolean } {
    return { shop, oven, fired: true };
  }
}
