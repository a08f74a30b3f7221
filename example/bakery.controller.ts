import { Controller, Get, Query } from '@nestjs/common';
import { CurrentUser, Public, RedirectToLogin, RequireCapability, type Principal } from '../src';
import { BakeryService } from './bakery.service';

/** A few routes guarded by the repository's caps.yaml, to show the decorators at work. */
@Controller()
@RequireCapability('read')
export class BakeryController {
  constructor(private readonly bakery: BakeryService) {}

  /** Every signed-in user holds `read` by default; a guest gets 401. */
  @Get('menu')
  menu(): { items: string[] } {
    return { items: this.bakery.menu() };
  }

  @Get('bake')
  @RequireCapability('bake')
  bake(@CurrentUser() user: Principal, @Query('food') food: unknown): { baked: string; by: string } {
    return this.bakery.bake(food, user);
  }

  @Get('arrest')
  @RequireCapability('arrest')
  arrest(@Query('who') who: unknown): { arrested: string } {
    return { arrested: typeof who === 'string' ? who.slice(0, 64) : 'nobody' };
  }

  /** A browser that is not signed in is sent to sign in, then back here. */
  @Get('racket')
  @RedirectToLogin()
  @RequireCapability('racket')
  racket(): { collected: number } {
    return { collected: 1000 };
  }

  @Get('opening-hours')
  @Public()
  openingHours(): { open: string; close: string } {
    return { open: '07:00', close: '19:00' };
  }
}
