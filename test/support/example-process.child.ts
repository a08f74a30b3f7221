// One example-app instance in a process of its own, configured by its environment;
// says "listening" on stdout once it accepts connections.
import { createExampleApp } from '../../example/app';

async function main(): Promise<void> {
  const { app, settings } = await createExampleApp(process.env, { logger: ['error', 'warn'] as never });
  await app.listen(settings.port, settings.host);
  process.stdout.write(`listening on ${settings.port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
