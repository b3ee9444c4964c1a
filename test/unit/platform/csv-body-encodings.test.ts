import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError, readCsvBody } from '@leadflow/platform';

const event = (bytes: Buffer, contentType: string) => ({ headers: { 'content-type': contentType }, body: bytes.toString('base64'), isBase64Encoded: true, requestContext: {} }) as unknown as APIGatewayProxyEventV2;

function errorOf(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

// "name,email\n张三,zhang@example.com\n" as Excel writes it in a "CSV" on Chinese Windows (GBK).
const gbkFile = Buffer.concat([Buffer.from('name,email\n'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(',zhang@example.com\n')]);

describe('readCsvBody: GBK files, byte-order marks, and UTF-8 sent as windows-1252', () => {
  it('reads a GBK file sent with charset gbk, gb2312, cp936 or gb18030', () => {
    for (const charset of ['gbk', 'GB2312', 'cp936', '"gb18030"']) expect(readCsvBody(event(gbkFile, `text/csv; charset=${charset}`))).toBe('name,email\n张三,zhang@example.com\n');
  });

  it('refuses a GBK file sent as UTF-8 with a message naming GBK, and bytes that are not GBK sent as gbk', () => {
    const refused = errorOf(() => readCsvBody(event(gbkFile, 'text/csv')));
    expect({ status: refused.statusCode, issues: refused.details?.issues }).toEqual({ status: 400, issues: [{ path: '(file)', message: 'is not UTF-8 (line 2)' }] });
    expect(refused.message).toContain('charset=gbk if it is Chinese (GBK) text');
    const broken = errorOf(() => readCsvBody(event(Buffer.from([0x6e, 0x0a, 0x81, 0x0a]), 'text/csv; charset=gbk')));
    expect({ status: broken.statusCode, issues: broken.details?.issues }).toEqual({ status: 400, issues: [{ path: '(file)', message: 'is not GBK/GB18030 (line 2)' }] });
  });

  it('reads a file starting with the UTF-8 byte-order mark as UTF-8 whatever the charset says', () => {
    const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name,email\nJosé,jose@example.com\n')]);
    expect(readCsvBody(event(file, 'text/csv; charset=windows-1252'))).toBe('name,email\nJosé,jose@example.com\n');
  });

  it('refuses a UTF-8 file sent as windows-1252 with a 400 saying it is UTF-8, rather than reading "JosÃ©"', () => {
    const refused = errorOf(() => readCsvBody(event(Buffer.from('name,email\nJosé,jose@example.com\n'), 'text/csv; charset=windows-1252')));
    expect({ status: refused.statusCode, issues: refused.details?.issues }).toEqual({ status: 400, issues: [{ path: 'content-type', message: 'charset is windows-1252 but the file is UTF-8 (line 2)' }] });
    expect(refused.message).toMatch(/^The file is UTF-8/);
  });
});
