import { describe, expect, it } from 'vitest';
import { InvalidScheduleExpressionError, parseScheduleExpression, type CronScheduleExpression } from '@leadflow/schedule-expression';

// Field table, wildcards and examples come from the EventBridge "Cron expressions reference"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html, also in awsdocs/
// amazon-eventbridge-user-guide doc_source/eb-create-rule-schedule.md):
//   Minutes 0-59 `, - * /` · Hours 0-23 `, - * /` · Day-of-month 1-31 `, - * ? / L W` · Month 1-12 or JAN-DEC
//   `, - * /` · Day-of-week 1-7 or SUN-SAT `, - * ? L #` · Year 1970-2199 `, - * /`.
// "If you use a '#' character, you can define only one expression in the day-of-week field. For example,
// "3#1,6#3" is not valid". "You can't specify the Day-of-month and Day-of-week fields in the same cron expression."

const range = (from: number, to: number, step = 1): number[] => {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
};

function parseCron(expression: string): CronScheduleExpression {
  const parsed = parseScheduleExpression(expression);
  if (parsed.type !== 'cron') throw new Error('expected cron');
  return parsed;
}

describe('parseScheduleExpression: cron examples from the EventBridge docs', () => {
  it.each([
    // The "Examples" table of the cron reference.
    'cron(0 10 * * ? *)', // Run at 10:00 am (UTC+0) every day
    'cron(15 12 * * ? *)', // Run at 12:15 pm (UTC+0) every day
    'cron(0 18 ? * MON-FRI *)', // Run at 6:00 pm (UTC+0) every Monday through Friday
    'cron(0 8 1 * ? *)', // Run at 8:00 am (UTC+0) every 1st day of the month
    'cron(0/15 * * * ? *)', // Run every 15 minutes
    'cron(0/10 * ? * MON-FRI *)', // Run every 10 minutes Monday through Friday
    'cron(0/5 8-17 ? * MON-FRI *)', // Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm
    'cron(0/30 20-2 ? * MON-FRI *)', // Every 30 minutes Mon-Fri, evening to 2:00 am the following day
    // The `aws events put-rule` examples.
    'cron(0 12 * * ? *)',
    'cron(5,35 14 * * ? *)',
    'cron(15 10 ? * 6L 2019-2022)',
  ])('accepts %s', (expression) => {
    expect(parseCron(expression).expression).toBe(expression);
  });

  it('expands cron(0/5 8-17 ? * MON-FRI *)', () => {
    const cron = parseCron('cron(0/5 8-17 ? * MON-FRI *)');
    expect(cron.minutes).toEqual(range(0, 55, 5));
    expect(cron.hours).toEqual(range(8, 17));
    expect(cron.months).toEqual(range(1, 12));
    expect(cron.years).toEqual(range(1970, 2199));
    expect(cron.day).toEqual({ field: 'day-of-week', rule: { type: 'days', days: [2, 3, 4, 5, 6] } });
    expect(cron.fields).toEqual({
      minutes: '0/5',
      hours: '8-17',
      dayOfMonth: '?',
      month: '*',
      dayOfWeek: 'MON-FRI',
      year: '*',
    });
  });

  it('wraps a backwards range past the maximum, as in the documented Hours field 20-2', () => {
    expect(parseCron('cron(0/30 20-2 ? * MON-FRI *)').hours).toEqual([0, 1, 2, 20, 21, 22, 23]);
  });
});

describe('parseScheduleExpression: cron wildcards', () => {
  it('accepts leading zeros', () => {
    const cron = parseCron('cron(05 09 01 02 ? 02024)');
    expect([cron.minutes, cron.hours, cron.months, cron.years]).toEqual([[5], [9], [2], [2024]]);
  });

  it('"," lists values, e.g. JAN,FEB,MAR in the Month field', () => {
    expect(parseCron('cron(0 0 1 JAN,FEB,MAR ? *)').months).toEqual([1, 2, 3]);
    expect(parseCron('cron(5,35 14 * * ? *)').minutes).toEqual([5, 35]);
    expect(parseCron('cron(0 1,13,1 * * ? *)').hours).toEqual([1, 13]);
  });

  it('"-" gives an inclusive range, e.g. 1-15 in the Day-of-month field', () => {
    expect(parseCron('cron(0 0 1-15 * ? *)').day).toEqual({
      field: 'day-of-month',
      rule: { type: 'days', days: range(1, 15) },
    });
  });

  it('"*" selects every value of the field', () => {
    const cron = parseCron('cron(* * * * ? *)');
    expect(cron.minutes).toEqual(range(0, 59));
    expect(cron.hours).toEqual(range(0, 23));
    expect(cron.day).toEqual({ field: 'day-of-month', rule: { type: 'days', days: range(1, 31) } });
  });

  it('"/" steps from a start: 1/10 in Minutes is the 1st, 11th, 21st … minute', () => {
    expect(parseCron('cron(1/10 * * * ? *)').minutes).toEqual([1, 11, 21, 31, 41, 51]);
    expect(parseCron('cron(*/20 * * * ? *)').minutes).toEqual([0, 20, 40]);
    expect(parseCron('cron(10-30/10 * * * ? *)').minutes).toEqual([10, 20, 30]);
    expect(parseCron('cron(50-10/5 * * * ? *)').minutes).toEqual([0, 5, 10, 50, 55]);
    expect(parseCron('cron(0 0 1/10 * ? *)').day).toEqual({
      field: 'day-of-month',
      rule: { type: 'days', days: [1, 11, 21, 31] },
    });
    expect(parseCron('cron(0 0 1 */3 ? *)').months).toEqual([1, 4, 7, 10]);
    expect(parseCron('cron(0 0 1 1 ? 2024/50)').years).toEqual([2024, 2074, 2124, 2174]);
  });

  it('"?" leaves the other day field in charge', () => {
    expect(parseCron('cron(0 10 * * ? *)').day.field).toBe('day-of-month');
    expect(parseCron('cron(0 10 ? * * *)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'days', days: range(1, 7) },
    });
  });

  it('"L" in Day-of-month is the last day of the month', () => {
    expect(parseCron('cron(0 0 L * ? *)').day).toEqual({ field: 'day-of-month', rule: { type: 'last-day' } });
  });

  it('"L" alone in Day-of-week is the last day of the week, Saturday', () => {
    expect(parseCron('cron(0 0 ? * L *)').day).toEqual({ field: 'day-of-week', rule: { type: 'days', days: [7] } });
  });

  it('"nL" in Day-of-week is the last such day of the month', () => {
    expect(parseCron('cron(15 10 ? * 6L 2019-2022)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'last-in-month', day: 6 },
    });
    expect(parseCron('cron(0 0 ? * FRIL *)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'last-in-month', day: 6 },
    });
  });

  it('"W" in Day-of-month is the nearest weekday, also as LW', () => {
    expect(parseCron('cron(0 0 3W * ? *)').day).toEqual({
      field: 'day-of-month',
      rule: { type: 'nearest-weekday', day: 3 },
    });
    expect(parseCron('cron(0 0 LW * ? *)').day).toEqual({ field: 'day-of-month', rule: { type: 'last-weekday' } });
  });

  it('"#" in Day-of-week is the nth such day: 3#2 is the second Tuesday', () => {
    expect(parseCron('cron(0 0 ? * 3#2 *)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'nth-in-month', day: 3, nth: 2 },
    });
    expect(parseCron('cron(0 0 ? * TUE#5 *)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'nth-in-month', day: 3, nth: 5 },
    });
  });
});

describe('parseScheduleExpression: cron names', () => {
  it.each([
    ['JAN', 1],
    ['FEB', 2],
    ['MAR', 3],
    ['APR', 4],
    ['MAY', 5],
    ['JUN', 6],
    ['JUL', 7],
    ['AUG', 8],
    ['SEP', 9],
    ['OCT', 10],
    ['NOV', 11],
    ['DEC', 12],
  ])('month %s is %i', (name, month) => {
    expect(parseCron(`cron(0 0 1 ${name} ? *)`).months).toEqual([month]);
  });

  it.each([
    ['SUN', 1],
    ['MON', 2],
    ['TUE', 3],
    ['WED', 4],
    ['THU', 5],
    ['FRI', 6],
    ['SAT', 7],
  ])('day %s is %i (1 = Sunday)', (name, day) => {
    expect(parseCron(`cron(0 0 ? * ${name} *)`).day).toEqual({
      field: 'day-of-week',
      rule: { type: 'days', days: [day] },
    });
  });

  it('accepts names in ranges, mixed with numbers, in any case, and wraps FRI-MON', () => {
    expect(parseCron('cron(0 0 1 NOV-FEB ? *)').months).toEqual([1, 2, 11, 12]);
    expect(parseCron('cron(0 0 1 jan-3 ? *)').months).toEqual([1, 2, 3]);
    expect(parseCron('cron(0 0 ? * FRI-MON *)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'days', days: [1, 2, 6, 7] },
    });
    expect(parseCron('cron(0 0 ? * sat,Sun *)').day).toEqual({
      field: 'day-of-week',
      rule: { type: 'days', days: [1, 7] },
    });
  });
});

describe('parseScheduleExpression: invalid cron', () => {
  it.each([
    // Field count and the ? rule.
    ['cron(0 10 * * ?)', 'cron needs exactly 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found 5'],
    ['cron(0 10 * * ? * *)', 'found 7'],
    // A Quartz expression with a seconds field shifts everything one place right.
    ['cron(0 0 10 * * ?)', 'Year field "?": "?" is not allowed in this field'],
    ['cron()', 'found 0'],
    ['cron(0 10 * * * *)', 'Day-of-month "*" and Day-of-week "*" cannot both be set; one of them must be "?"'],
    ['cron(0 10 1 * MON *)', 'Day-of-month "1" and Day-of-week "MON" cannot both be set'],
    ['cron(0 10 ? * ? *)', 'only one of Day-of-month and Day-of-week may be "?"'],
    ['cron(? 10 * * ? *)', 'Minutes field "?": "?" is not allowed in this field'],
    ['cron(0 10 1,? * ? *)', 'Day-of-month field "1,?": "?" must be the whole field'],
    // Ranges of each field.
    ['cron(60 10 * * ? *)', 'Minutes field "60": 60 is outside 0-59'],
    ['cron(0 24 * * ? *)', 'Hours field "24": 24 is outside 0-23'],
    ['cron(0 0 0 * ? *)', 'Day-of-month field "0": 0 is outside 1-31'],
    ['cron(0 0 32 * ? *)', 'Day-of-month field "32": 32 is outside 1-31'],
    ['cron(0 0 1 13 ? *)', 'Month field "13": 13 is outside 1-12'],
    ['cron(0 0 1 0 ? *)', 'Month field "0": 0 is outside 1-12'],
    ['cron(0 0 ? * 0 *)', 'Day-of-week field "0": 0 is outside 1-7'],
    ['cron(0 0 ? * 8 *)', 'Day-of-week field "8": 8 is outside 1-7'],
    ['cron(0 0 1 1 ? 1969)', 'Year field "1969": 1969 is outside 1970-2199'],
    ['cron(0 0 1 1 ? 2200)', 'Year field "2200": 2200 is outside 1970-2199'],
    ['cron(0 0 1 1 ? 2030-2020)', 'Year field "2030-2020": range 2030-2020 runs backwards'],
    // Syntax.
    ['cron(0 0 1 JANUARY ? *)', 'Month field "JANUARY": "JANUARY" is not a number or one of JAN, FEB'],
    ['cron(0 0 1 MON ? *)', 'Month field "MON": "MON" is not a number or one of JAN'],
    ['cron(0 0 ? * JAN *)', 'Day-of-week field "JAN": "JAN" is not a number or one of SUN'],
    ['cron(MON 0 * * ? *)', 'Minutes field "MON": "MON" is not a number'],
    ['cron(0 0 1,,2 * ? *)', 'Day-of-month field "1,,2": empty list item'],
    ['cron(0 0 1- * ? *)', 'Day-of-month field "1-": "" is not a number'],
    ['cron(0 0 1-2-3 * ? *)', 'has more than one "-"'],
    ['cron(0/5/5 0 * * ? *)', 'has more than one "/"'],
    ['cron(0/0 0 * * ? *)', 'Minutes field "0/0": increment "0" must be a whole number from 1 to 60'],
    ['cron(0/61 0 * * ? *)', 'increment "61" must be a whole number from 1 to 60'],
    ['cron(0/ 0 * * ? *)', 'increment "" must be a whole number'],
    ['cron(/5 0 * * ? *)', '"" is not a number'],
    ['cron(1.5 0 * * ? *)', 'Minutes field "1.5": "." is not allowed in this field'],
    ['cron(-1 0 * * ? *)', 'Minutes field "-1": "" is not a number'],
    // Wildcards in fields that do not take them.
    ['cron(L 0 * * ? *)', 'Minutes field "L": "L" is not a number'],
    ['cron(0 0 1 L ? *)', 'Month field "L": "L" is not a number or one of JAN'],
    ['cron(0 0 1 * ? L)', 'Year field "L": "L" is not a number'],
    ['cron(0 0 1#2 * ? *)', 'Day-of-month field "1#2": "#" is not allowed in this field'],
    ['cron(0 0 1 2#1 ? *)', 'Month field "2#1": "#" is not allowed in this field'],
    ['cron(0 0 ? * 1/2 *)', 'Day-of-week field "1/2": "/" is not allowed in this field'],
    ['cron(0 0 ? * 2W *)', 'Day-of-week field "2W": "2W" is not a number or one of SUN'],
    // L, W and # must stand alone.
    ['cron(0 0 L,15 * ? *)', 'Day-of-month field "L,15": L, LW and nW must be the whole field'],
    ['cron(0 0 1W-5W * ? *)', 'L, LW and nW must be the whole field'],
    ['cron(0 0 15W,20 * ? *)', 'L, LW and nW must be the whole field'],
    ['cron(0 0 L-3 * ? *)', 'L, LW and nW must be the whole field'],
    ['cron(0 0 WL * ? *)', 'L, LW and nW must be the whole field'],
    ['cron(0 0 32W * ? *)', 'Day-of-month field "32W": 32 is outside 1-31'],
    ['cron(0 0 0W * ? *)', '0 is outside 1-31'],
    ['cron(0 0 ? * 3#1,6#3 *)', 'Day-of-week field "3#1,6#3": "#" takes exactly one day and occurrence'],
    ['cron(0 0 ? * 3#6 *)', 'Day-of-week field "3#6": "#6" must be #1 to #5'],
    ['cron(0 0 ? * 3#0 *)', '"#0" must be #1 to #5'],
    ['cron(0 0 ? * 8#1 *)', '8 is outside 1-7'],
    ['cron(0 0 ? * #1 *)', '"#" takes exactly one day and occurrence, such as "3#2"'],
    ['cron(0 0 ? * 6L,2 *)', 'Day-of-week field "6L,2": "L" must be the whole field or follow a single day'],
    ['cron(0 0 ? * 2-6L *)', '"L" must be the whole field or follow a single day'],
    ['cron(0 0 ? * 9L *)', 'Day-of-week field "9L": 9 is outside 1-7'],
  ])('rejects %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it('names the expression and the field in the message', () => {
    expect(() => parseScheduleExpression('cron(0 24 * * ? *)')).toThrow('Invalid schedule expression "cron(0 24 * * ? *)": Hours field "24": 24 is outside 0-23');
  });
});
