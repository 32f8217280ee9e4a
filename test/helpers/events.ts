// The sample events in events/, as the tests and `sam local invoke -e` use them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const loadEvent = (name: string): Record<string, unknown> & { detail: Record<string, unknown> } =>
  JSON.parse(readFileSync(join(__dirname, '../../events', `${name}.json`), 'utf8'));
