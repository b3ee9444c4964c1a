import * as z from 'zod/mini';
import { en } from 'zod/locales';

/*
 * zod/mini registers no locale (classic registers English when its first schema is built): without
 * this, every issue message would read "Invalid input", and the 4xx bodies name fields with these
 * messages. Listed under `sideEffects` in the package's package.json so bundlers keep it.
 */
z.config(en());
