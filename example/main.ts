import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createExampleApp } from './app';

// The management API writes to the capability file: by default the example works on a
// git-ignored copy, so trying it never changes the repository's caps.yaml.
const WORKING_COPY = '.example/caps.yaml';

async function main(): Promise<void> {
  const logger = new Logger('example');
  const env = { ...process.env };
  if ((env['CAPS_FILE'] ?? '') === '') {
    if (!existsSync(WORKING_COPY)) {
      mkdirSync('.example', { recursive: true });
      copyFileSync('caps.yaml', WORKING_COPY);
    }
    env['CAPS_FILE'] = WORKING_COPY;
    logger.log(`capability file: ${WORKING_COPY} (a copy of caps.yaml; delete it to start again)`);
  }
  const { app, settings, signIn } = await createExampleApp(env);
  settings.notices.forEach((notice) => logger.warn(notice));
  logger[signIn.level](signIn.message);
  await app.listen(settings.port, settings.host);
  logger.log(`listening on http://${settings.host}:${settings.port} (BASE_URL ${settings.auth.baseUrl})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
