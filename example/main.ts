import { Logger } from '@nestjs/common';
import { createExampleApp } from './app';

async function main(): Promise<void> {
  const logger = new Logger('example');
  const { app, settings } = await createExampleApp(process.env);
  settings.notices.forEach((notice) => logger.warn(notice));
  await app.listen(settings.port, settings.host);
  logger.log(`listening on http://${settings.host}:${settings.port} (BASE_URL ${settings.auth.baseUrl})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
