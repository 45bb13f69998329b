import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuthMap, parseAuthSecret, parseHtpasswd } from './htpasswd.ts';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('parseHtpasswd', () => {
  it('reads user:hash lines, skipping comments and blank lines', () => {
    const { users, errors } = parseHtpasswd('# admins\nalice:{PLAIN}a\n\n   \nbob:{PLAIN}b\n#carol:{PLAIN}c\n');
    assert.deepEqual([...users], [['alice', '{PLAIN}a'], ['bob', '{PLAIN}b']]);
    // "   " has no ':' (nginx reads it as a name that matches nobody).
    assert.deepEqual(errors.map((e) => e.line), [4]);
  });

  it('ends the hash at the next ":" (comment field), CR or LF', () => {
    const { users, errors } = parseHtpasswd('alice:{PLAIN}a:comment:more\r\nbob:{PLAIN}b\r\ncarol:{PLAIN}c');
    assert.deepEqual([...users], [['alice', '{PLAIN}a'], ['bob', '{PLAIN}b'], ['carol', '{PLAIN}c']]);
    assert.deepEqual(errors, []);
  });

  it('the first entry for a user wins, later ones are reported', () => {
    const { users, errors } = parseHtpasswd('alice:{PLAIN}first\nalice:{PLAIN}second\n');
    assert.equal(users.get('alice'), '{PLAIN}first');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /duplicate user "alice".*line 1/);
    assert.equal(errors[0]!.line, 2);
  });

  it('keeps names byte for byte: no trimming, case-sensitive', () => {
    const { users } = parseHtpasswd(' eve:{PLAIN}x\nEve:{PLAIN}y\neve :{PLAIN}z\n');
    assert.deepEqual([...users.keys()], [' eve', 'Eve', 'eve ']);
  });

  it('lines starting with CR are skipped like comments', () => {
    const { users } = parseHtpasswd('\ralice:{PLAIN}x\nbob:{PLAIN}y\n');
    assert.deepEqual([...users.keys()], ['bob']);
  });

  it('reports lines without ":" and empty user names', () => {
    const { users, errors } = parseHtpasswd('alice\n:{PLAIN}x\nbob:{PLAIN}y\n');
    assert.deepEqual([...users.keys()], ['bob']);
    assert.deepEqual(errors.map((e) => e.line), [1, 2]);
    assert.match(errors[0]!.message, /no ':'/);
    assert.match(errors[1]!.message, /empty user name/);
  });

  it('reproduces nginx swallowing the line after a ":"-less prefix of the name', () => {
    // Confirmed against nginx 1.22.1: see testdata/nginx-cases.json (swallow1..4).
    let r = parseHtpasswd('al\nalice:{PLAIN}one\nalice:{PLAIN}two\n');
    assert.equal(r.users.get('alice'), '{PLAIN}two');
    assert.ok(r.errors.some((e) => e.line === 2 && /never reads this line/.test(e.message)));
    // Two such lines: the first swallows the second, so alice's first line is read.
    r = parseHtpasswd('a\nal\nalice:{PLAIN}one\nalice:{PLAIN}two\n');
    assert.equal(r.users.get('alice'), '{PLAIN}one');
    // Not a prefix, or ended by CR (the mismatch is then the CR, not the LF): nothing swallowed.
    assert.equal(parseHtpasswd('bo\nalice:{PLAIN}one\n').users.get('alice'), '{PLAIN}one');
    assert.equal(parseHtpasswd('alice\r\nalice:{PLAIN}one\r\n').users.get('alice'), '{PLAIN}one');
    // Only for names the line is a prefix of.
    r = parseHtpasswd('al\nbob:{PLAIN}b\n');
    assert.equal(r.users.get('bob'), '{PLAIN}b');
    // A blank or comment line in between breaks the effect.
    assert.equal(parseHtpasswd('al\n\nalice:{PLAIN}one\n').users.get('alice'), '{PLAIN}one');
    assert.equal(parseHtpasswd('al\n# c\nalice:{PLAIN}one\n').users.get('alice'), '{PLAIN}one');
  });

  it('reports hashes that can never verify, but keeps the user (it still shadows later lines)', () => {
    const { users, errors } = parseHtpasswd('alice:\nbob:$y$j9T$abc$def\nalice:{PLAIN}x\n');
    assert.equal(users.get('alice'), '');
    assert.equal(users.get('bob'), '$y$j9T$abc$def');
    assert.deepEqual(errors.map((e) => [e.line, e.user]), [[1, 'alice'], [2, 'bob'], [3, 'alice']]);
  });

  it('accepts bytes; lines that are not UTF-8 are reported and ignored', () => {
    const bytes = Buffer.concat([Buffer.from('al\xe9:{PLAIN}x\n', 'latin1'), Buffer.from('bob:{PLAIN}\xff\n', 'latin1'), Buffer.from('jürgen:{PLAIN}pä\n')]);
    const { users, errors } = parseHtpasswd(bytes);
    assert.deepEqual([...users], [['jürgen', '{PLAIN}pä']]);
    assert.deepEqual(errors.map((e) => e.line), [1, 2]);
  });

  it('a NUL byte ends the hash, as in nginx\'s C string', () => {
    const { users, errors } = parseHtpasswd('alice:{PLAIN}ab\0cd\n');
    assert.equal(users.get('alice'), '{PLAIN}ab');
    assert.match(errors[0]!.message, /NUL/);
  });

  it('handles an empty file, a file of comments, a final line without LF', () => {
    assert.equal(parseHtpasswd('').users.size, 0);
    assert.equal(parseHtpasswd('# nothing\n').users.size, 0);
    assert.equal(parseHtpasswd('alice:{PLAIN}x').users.get('alice'), '{PLAIN}x');
  });

  it('reports hash problems with the user and line', () => {
    const { errors } = parseHtpasswd('alice:$2x$05$abcdefghijklmnopqrstuuWG29KuyeAicPCJODk1zjyGvyQUU2awu\n');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.user, 'alice');
    assert.match(errors[0]!.message, /\$2x\$/);
  });
});

describe('parseAuthMap', () => {
  it('each key is a user, each value a hash (ingress-nginx writes "key:value\\n")', () => {
    const { users, errors } = parseAuthMap({ bob: b64('{PLAIN}b'), alice: b64('{PLAIN}a\n') });
    assert.deepEqual([...users].sort(), [['alice', '{PLAIN}a'], ['bob', '{PLAIN}b']]);
    assert.deepEqual(errors, []);
  });

  it('the hash ends at ":", CR or LF as nginx would read it', () => {
    const { users } = parseAuthMap({ alice: b64('{PLAIN}a:comment'), bob: b64('{PLAIN}b\r\n') });
    assert.equal(users.get('alice'), '{PLAIN}a');
    assert.equal(users.get('bob'), '{PLAIN}b');
  });

  it('reports values that smuggle in extra lines, and ignores those lines', () => {
    const { users, errors } = parseAuthMap({ alice: b64('{PLAIN}a\nmallory:{PLAIN}m\n') });
    assert.deepEqual([...users.keys()], ['alice']);
    assert.match(errors[0]!.message, /continues after a line break/);
  });

  it('reports invalid base64 and invalid hashes', () => {
    const { users, errors } = parseAuthMap({ alice: 'not base64!', bob: b64('nope') });
    assert.deepEqual([...users.keys()], ['bob']);
    assert.equal(errors.length, 2);
  });
});

describe('parseAuthSecret', () => {
  it('auth-file (default) reads key "auth"', () => {
    const { users } = parseAuthSecret({ auth: b64('alice:{PLAIN}a\n') });
    assert.equal(users.get('alice'), '{PLAIN}a');
    assert.equal(parseAuthSecret({ auth: b64('alice:{PLAIN}a\n') }, 'auth-file').users.size, 1);
  });

  it('auth-file without "auth" is an error', () => {
    const r = parseAuthSecret({ users: b64('alice:{PLAIN}a\n') });
    assert.equal(r.users.size, 0);
    assert.match(r.errors[0]!.message, /no key "auth"/);
  });

  it('auth-map reads every key', () => {
    assert.deepEqual([...parseAuthSecret({ alice: b64('{PLAIN}a'), auth: b64('{PLAIN}x') }, 'auth-map').users.keys()].sort(), ['alice', 'auth']);
  });

  it('rejects other types', () => {
    const r = parseAuthSecret({ auth: b64('alice:{PLAIN}a\n') }, 'auth-json');
    assert.equal(r.users.size, 0);
    assert.match(r.errors[0]!.message, /invalid auth-secret-type/);
  });
});
