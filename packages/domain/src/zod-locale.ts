import * as z from 'zod/mini';
import { en } from 'zod/locales';

/*
 * zod/mini registers no locale (classic registers English when its first schema is built): without
 * this, every issue message would read "Invalid input", and the 4xx bodies name fields with these
 * messages. Every module that builds zod schemas imports it (`@leadflow/domain/zod-locale` outside the domain), and it is the one file listed under
 * `sideEffects` in the package's package.json: bundlers keep it in every function that carries the domain's
 * schemas (a bundle test checks), and leave it, and zod, out of one that only takes plain functions from the domain.
 */
z.config(en());
