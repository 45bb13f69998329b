#!/usr/bin/env python3
"""Regenerates vectors.json: password hashes produced by real tools, for schemes.test.ts.

Run on Debian 12 with apache2-utils installed (apt-get install apache2-utils):
    python3 src/dataplane/auth/testdata/gen-vectors.py > src/dataplane/auth/testdata/vectors.json
Tools: htpasswd (Apache 2.4), openssl passwd (OpenSSL 3), Python's crypt module (glibc's
libcrypt, i.e. libxcrypt 4.4 on Debian 12) and hashlib. Salts are fixed so the output is
reproducible, except htpasswd's, which picks its own. Each entry records the exact command.
Passwords are given as hex of their bytes (pwHex) plus, when valid UTF-8, as text (pw).
"""
import base64, crypt, hashlib, json, subprocess, sys, warnings

warnings.filterwarnings("ignore")
out = []

def add(tool, cmd, pw: bytes, h: str, note=""):
    e = {"tool": tool, "cmd": cmd, "pwHex": pw.hex(), "hash": h}
    try:
        e["pw"] = pw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if note:
        e["note"] = note
    out.append(e)

def run(argv):
    return subprocess.run(argv, check=True, capture_output=True).stdout.decode("latin1").strip()

def htpasswd(flags, pw: bytes, extra=()):
    argv = ["htpasswd", "-nb" + flags, *extra, "u", pw.decode("utf-8")]
    line = run(argv)
    add("htpasswd", " ".join(argv[:-1]) + " <pw>", pw, line.split(":", 1)[1])

def openssl(flag, salt, pw: bytes):
    argv = ["openssl", "passwd", flag, "-salt", salt, pw]
    add("openssl", f"openssl passwd {flag} -salt {salt} <pw>", pw, run(argv))

def pycrypt(salt, pw: bytes, note=""):
    add("python-crypt", f"crypt.crypt(<pw>, {salt!r})", pw, crypt.crypt(pw.decode("utf-8"), salt), note)

TEXT = [b"", b"password", "p\u00e4ssw\u00f6rd\u20ac".encode(), "\u65e5\u672c\u8a9e\u30d1\u30b9\u30ef\u30fc\u30c9".encode(),
        "emoji\U0001f511".encode(), b"a:b:c", b" spaces  ", b"x" * 100]

# htpasswd: apr1, bcrypt ($2y$), DES, {SHA}, SHA-crypt ($5$/$6$) and plaintext.
for pw in TEXT:
    htpasswd("m", pw)
    htpasswd("s", pw)
    htpasswd("B", pw, ("-C", "4"))
    htpasswd("2", pw)
    htpasswd("5", pw, ("-r", "1000"))
htpasswd("B", b"password", ("-C", "5"))
htpasswd("d", b"password")
htpasswd("d", b"password123")

# openssl passwd: $1$, $apr1$, $5$, $6$ (and bytes that are not UTF-8).
RAW = [b"password", "p\u00e4ssw\u00f6rd\u20ac".encode(), b"\xe9t\xe9", b"Xy01@#\x01\x02\x80\x7f\xff\r\n\x81\t !"]
for pw in RAW:
    openssl("-1", "abcd0123", pw)
    openssl("-apr1", "abcd0123", pw)
    openssl("-5", "saltstring", pw)
    openssl("-6", "saltstring", pw)
add("openssl", "openssl passwd -6 -salt rounds=1234$abc0123456789 <pw>", RAW[3],
    run(["openssl", "passwd", "-6", "-salt", "rounds=1234$abc0123456789", RAW[3]]), "musl's SHA-512 self-test")
for n in (31, 32, 33, 63, 64, 65):
    pw = b"k" * n
    openssl("-5", "saltstring", pw)
    openssl("-6", "saltstring", pw)

# glibc/libxcrypt crypt(): DES, MD5, SHA-crypt (rounds, long salts), bcrypt variants.
for pw in TEXT:
    pycrypt("$1$saltsalt", pw)
    pycrypt("$5$rounds=1000$0123456789abcdefXYZ", pw, "salt truncated to 16")
    pycrypt("$6$rounds=10000$saltsalt", pw)
    pycrypt("$2b$04$abcdefghijklmnopqrstuu", pw)
    pycrypt("$2a$04$abcdefghijklmnopqrstuu", pw)
    pycrypt("$2y$04$abcdefghijklmnopqrstuu", pw)
for pw in (b"", b"password", b"password123", b"passwor", "\u00e9t\u00e9".encode()):
    pycrypt("ab", pw)
# bcrypt's 72-byte limit, including a multi-byte character straddling it.
for pw in (b"x" * 71, b"x" * 72, b"x" * 72 + b"tail", ("a" * 71 + "\u00e9").encode()):
    pycrypt("$2b$04$0123456789abcdefghijkO", pw)

# {SSHA}: base64(SHA1(password salt) salt), as OpenLDAP's slappasswd writes it.
for pw, salt in ((b"password", b"saltsalt"), (b"", b"\x00\x01\x02\x03"), ("p\u00e4ssw\u00f6rd\u20ac".encode(), b"12345678901234567890")):
    h = "{SSHA}" + base64.b64encode(hashlib.sha1(pw + salt).digest() + salt).decode()
    add("python-hashlib", f"'{{SSHA}}' + b64(sha1(<pw> + {salt!r}) + {salt!r})", pw, h)

json.dump({"generatedWith": {"htpasswd": run(["dpkg-query", "-W", "-f", "${Version}", "apache2-utils"]),
                             "openssl": run(["openssl", "version"]),
                             "libcrypt": run(["dpkg-query", "-W", "-f", "${Version}", "libcrypt1"]),
                             "python": sys.version.split()[0]},
           "vectors": out}, sys.stdout, indent=1, ensure_ascii=True)
print()
