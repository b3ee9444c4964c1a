import * as z from 'zod/mini';
import { en } from 'zod/locales';

/*
 * zod/mini registers no locale (classic registers English when its first schema is built): without
 * this, every issue message would read "Invalid input", and the 4xx bodies name fields with these
 * messages. The index imports it first, and both are listed under `sideEffects` in the package's
 * package.json so that bundlers keep them in every function that imports the domain (a bundle test checks).
 */
z.config(en());
