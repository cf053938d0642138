import { parseQueueUrl, PASSWORD_ENV, redactUrl } from './connection';

describe('parseQueueUrl', () => {
  it('reads host, port, database, user and password from the URL', () => {
    const c = parseQueueUrl('redis://alice:s3cr%40t@10.0.0.5:6380/2', {});
    expect(c).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'alice', password: 's3cr@t', maxRetriesPerRequest: null });
    expect(c.tls).toBeUndefined();
  });

  it('takes the password from TFNAS_REDIS_PASSWORD when the URL has none, the URL\'s otherwise', () => {
    expect(parseQueueUrl('redis://127.0.0.1', { [PASSWORD_ENV]: 'envpw' }).password).toBe('envpw');
    expect(parseQueueUrl('redis://:urlpw@127.0.0.1', { [PASSWORD_ENV]: 'envpw' }).password).toBe('urlpw');
    expect(parseQueueUrl('redis://127.0.0.1', {}).password).toBeUndefined();
    expect(parseQueueUrl('redis://127.0.0.1', {}).port).toBe(6379);
  });

  it('passes TLS through for rediss://', () => {
    expect(parseQueueUrl('rediss://queue.example.org:6380', {}).tls).toEqual({ servername: 'queue.example.org' });
  });

  it('refuses other schemes and malformed URLs, naming --queue and never showing the password', () => {
    expect(() => parseQueueUrl('http://127.0.0.1:6379', {})).toThrow(/--queue: expected a redis:\/\/ or rediss:\/\/ URL, got a http/);
    expect(() => parseQueueUrl('redis://u:hunter2@127.0.0.1/x', {})).toThrow(/--queue: the database number/);
    let msg = '';
    try {
      parseQueueUrl('not a url :hunter2@', {});
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^--queue: expected redis:\/\//);
  });
});

describe('redactUrl', () => {
  it('replaces the password and keeps everything else', () => {
    expect(redactUrl('redis://alice:hunter2@host:6379/1')).toBe('redis://alice:***@host:6379/1');
    expect(redactUrl('rediss://:hunter2@host')).toBe('rediss://:***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactUrl("tfnas search --queue 'redis://:hunter2@h:1' --queue=rediss://u:pw@h2")).toBe("tfnas search --queue 'redis://:***@h:1' --queue=rediss://u:***@h2");
  });
});
