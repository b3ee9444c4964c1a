import { CronFieldSyntaxError } from './cron-field-syntax-error';

/** How one numeric cron field is spelled: its bounds and, for Month and Day-of-week, the names it accepts. */
export interface CronValueSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
  /**
   * Whether `a-b` with `a > b` wraps past the maximum. The EventBridge examples use `20-2` in the Hours field for
   * "10 pm to 2 am", so cyclic fields wrap; the Year field is not cyclic, so there it is an error.
   */
  readonly wrapsAround: boolean;
}

/** Parses one value: digits, or (where the field has names) a name such as `JAN` or `MON`. */
export function parseCronValue(text: string, spec: CronValueSpec): number {
  let value: number | undefined;
  if (/^\d+$/.test(text)) value = Number(text);
  else if (spec.names !== undefined) value = spec.names[text];
  if (value === undefined) {
    const accepted = spec.names === undefined ? 'a number' : `a number or one of ${Object.keys(spec.names).join(', ')}`;
    throw new CronFieldSyntaxError(`"${text}" is not ${accepted}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new CronFieldSyntaxError(`${text} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

/**
 * Parses the `,` `-` `*` `/` grammar shared by every numeric field (`*`, `5`, `1-5`, `0/15`, `*\/10`, `8-17/2`,
 * `JAN,MAR`, `20-2`) into the ascending, de-duplicated list of values it selects.
 */
export function parseCronValues(text: string, spec: CronValueSpec): number[] {
  const selected = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronFieldSyntaxError('empty list item');
    for (const value of parseListItem(item, spec)) selected.add(value);
  }
  return [...selected].sort((a, b) => a - b);
}

function parseListItem(item: string, spec: CronValueSpec): number[] {
  const slash = item.split('/');
  if (slash.length > 2) throw new CronFieldSyntaxError(`"${item}" has more than one "/"`);
  const [base = '', stepText] = slash;
  const step = stepText === undefined ? 1 : parseStep(stepText, spec);

  let start: number;
  let end: number;
  if (base === '*') {
    start = spec.min;
    end = spec.max;
  } else {
    const dash = base.split('-');
    if (dash.length > 2) throw new CronFieldSyntaxError(`"${item}" has more than one "-"`);
    start = parseCronValue(dash[0] ?? '', spec);
    // `5/15` means "from 5, every 15" (EventBridge's own example is `0/15`); a bare `5` is just 5.
    end = dash[1] !== undefined ? parseCronValue(dash[1], spec) : stepText !== undefined ? spec.max : start;
  }
  if (start > end && !spec.wrapsAround) {
    throw new CronFieldSyntaxError(`range ${start}-${end} runs backwards`);
  }

  const span = spec.max - spec.min + 1;
  const length = start <= end ? end - start + 1 : end + span - start + 1;
  const values: number[] = [];
  for (let offset = 0; offset < length; offset += step) {
    values.push(((start - spec.min + offset) % span) + spec.min);
  }
  return values;
}

function parseStep(text: string, spec: CronValueSpec): number {
  const span = spec.max - spec.min + 1;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > span) {
    throw new CronFieldSyntaxError(`increment "${text}" must be a whole number from 1 to ${span}`);
  }
  return Number(text);
}
