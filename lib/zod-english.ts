/**
 * zod's English messages for `zod/mini`, the tree-shakable build the Lambdas validate with at run time (their
 * environment, SQS message bodies): the same checks and the same wording as the full `zod` the CLI's policy schema
 * uses, at a fraction of its bytes in a bundle. zod/mini ships no locale; importing this module (for its effect, before
 * any parse) configures the English one, once, for every importer. Modules import `* as z from 'zod/mini'` themselves:
 * re-exporting the namespace from here would make esbuild keep all of zod, its locales included.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
