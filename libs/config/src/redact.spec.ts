import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it.each([
    ['a user and password', 'amqp://jss:s3cret@rabbit:5672/prod', 'amqp://jss:***@rabbit:5672/prod'],
    ['a password with no user', 'redis://:s3cret@redis:6379/2', 'redis://:***@redis:6379/2'],
    [
      'every node of a node list',
      'amqp://jss:one@node-a:5672,amqp://jss:two@node-b:5672,amqps://:three@node-c',
      'amqp://jss:***@node-a:5672,amqp://jss:***@node-b:5672,amqps://:***@node-c',
    ],
    ['a password holding ":" and "%40"', 'redis://u:p:a%40ss@h', 'redis://u:***@h'],
    ['a user alone (no secret)', 'amqp://jss@rabbit', 'amqp://jss@rabbit'],
    ['no credentials', 'redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    [
      'a SAS signature in a query string',
      'https://acct.blob.core.windows.net/c?sv=2024-01-01&sp=r&sig=abc%2Bdef&se=2026',
      'https://acct.blob.core.windows.net/c?sv=2024-01-01&sp=r&sig=***&se=2026',
    ],
    [
      'an account key in a connection string',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFy==;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=core.windows.net',
    ],
    [
      'a whole SAS in a connection string',
      'BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2024&sig=abc',
      'BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=***',
    ],
    [
      'a URL inside a sentence',
      'cannot reach Redis at redis://:pw@h:6379; start it',
      'cannot reach Redis at redis://:***@h:6379; start it',
    ],
    [
      'an S3 presigned URL',
      'https://b.s3/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=f00',
      'https://b.s3/k?X-Amz-Credential=***&X-Amz-Signature=***',
    ],
  ])('hides %s', (_form, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});
