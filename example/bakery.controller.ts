import { Controller, Get, Query } from '@nestjs/common';
import { CurrentUser, Public, RedirectToLogin, RequireCapability, type Principal } from '../src';

/** A few routes guarded by the repository's caps.yaml, to show the decorators at work. */
@Controller()
@RequireCapability('read')
export class BakeryController {
  /** Every signed-in user holds `read` by default; a guest gets 401. */
  @Get('menu')
  menu(): { items: string[] } {
    return { items: ['croissant', 'baguette', 'cannolo'] };
  }

  @Get('bake')
  @RequireCapability('bake')
  bake(@CurrentUser() user: Principal, @Query('food') food: unknown): { baked: string; by: string } {
    return { baked: typeof food === 'string' ? food.slice(0, 64) : 'bread', by: user.email };
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
