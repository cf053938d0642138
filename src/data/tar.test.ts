import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { extractTar, safeMemberPath } from './tar';
import { tarArchive, tarHeader, tempDir } from './test-utils/fixtures';

/** Feeds a buffer in small uneven chunks, so headers and data straddle chunk boundaries. */
function chunks(buf: Buffer, size = 333): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('tar reader', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const files = [
    { name: 'top/a.bin', data: Buffer.from('hello') },
    { name: 'top/empty', data: Buffer.alloc(0) },
    { name: `top/${'x'.repeat(120)}.bin`, data: Buffer.alloc(1500, 7) },
  ];

  it.each([false, true])('extracts chosen members byte-exact (gnu=%s), long names included', async (gnu) => {
    const got = await extractTar(chunks(tarArchive(files, gnu)), (m) => path.join(dir, path.basename(m.path)));
    expect(got.map((m) => m.path)).toEqual(files.map((f) => f.name));
    for (const f of files) expect(fs.readFileSync(path.join(dir, path.basename(f.name)))).toEqual(f.data);
  });

  it('handles an empty last member in a single chunk', async () => {
    const archive = tarArchive([{ name: 'a', data: Buffer.from('x') }, { name: 'b', data: Buffer.alloc(0) }]);
    const got = await extractTar(Readable.from([archive]), (m) => path.join(dir, m.path));
    expect(got.map((m) => m.path)).toEqual(['a', 'b']);
    expect(fs.statSync(path.join(dir, 'b')).size).toBe(0);
  });

  it('skips members the chooser rejects', async () => {
    const got = await extractTar(chunks(tarArchive(files)), (m) => (m.path.endsWith('a.bin') ? path.join(dir, 'a') : null));
    expect(got).toHaveLength(1);
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });

  it('reports a truncated archive and a damaged header', async () => {
    const whole = tarArchive(files);
    await expect(extractTar(chunks(whole.subarray(0, 512 + 700)), () => null)).rejects.toThrow(/truncated/);
    const bad = Buffer.from(whole);
    bad[10] ^= 0xff;
    await expect(extractTar(chunks(bad), () => null)).rejects.toThrow(/bad tar header checksum/);
  });

  it('refuses paths that escape the target folder', async () => {
    expect(() => safeMemberPath('../etc/passwd')).toThrow(/unsafe path/);
    expect(() => safeMemberPath('/abs')).toThrow(/unsafe path/);
    expect(safeMemberPath('./a/b')).toBe('a/b');
    const evil = Buffer.concat([tarHeader('a/../../x', 1), Buffer.alloc(512), Buffer.alloc(1024)]);
    await expect(extractTar(chunks(evil), () => path.join(dir, 'x'))).rejects.toThrow(/unsafe path/);
  });

  // Cross-check with archives made by the system tar, when it exists (GNU and pax formats).
  let haveTar = true;
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
  } catch {
    haveTar = false;
  }
  const tarIt = haveTar ? it : it.skip;
  tarIt.each(['gnu', 'pax'])('reads an archive written by system tar --format=%s (skipped when tar is absent)', async (format) => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'deep'), { recursive: true });
    const longName = `deep/${'n'.repeat(140)}.bin`;
    fs.writeFileSync(path.join(src, longName), Buffer.alloc(5000, 3));
    fs.writeFileSync(path.join(src, 'small.txt'), 'abc');
    const archive = path.join(dir, 'a.tar');
    execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', src, 'deep', 'small.txt']);
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const got = await extractTar(chunks(fs.readFileSync(archive), 4096), (m) => path.join(out, path.basename(m.path)));
    expect(got.map((m) => m.path).sort()).toEqual([longName, 'small.txt']);
    expect(fs.readFileSync(path.join(out, path.basename(longName)))).toEqual(Buffer.alloc(5000, 3));
  });
});
