import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail, SentMessage } from '../ports/notifications';

export class SesMailer implements Mailer {
  constructor(private readonly client: SESv2Client) {}

  async send(message: OutgoingEmail): Promise<SentMessage> {
    const output = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: message.from,
        Destination: { ToAddresses: [message.to] },
        EmailTags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value })),
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, ...(message.html ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}) },
            ...(message.headers ? { Headers: Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
          },
        },
      }),
    );
    return { messageId: output.MessageId ?? '' };
  }
}
