#!/usr/bin/env python3
"""Regenerates nginx-cases.json: what a real nginx answers for htpasswd files and Authorization
headers, for the differential tests in basic-auth.test.ts (which run offline against this file).

Run on Debian 12 with nginx and apache2-utils installed (apt-get install nginx apache2-utils):
    python3 src/dataplane/auth/testdata/gen-nginx-cases.py > src/dataplane/auth/testdata/nginx-cases.json
It starts nginx on 127.0.0.1:18931 from a temporary prefix, one location per htpasswd file, sends
each header once and records the status (200 allowed, 401 denied, 500 crypt failure).
Debian's nginx uses glibc's crypt (libxcrypt), not musl like ingress-nginx's image: the files
here stick to schemes both implement identically.
"""
import base64, http.client, json, os, subprocess, sys, tempfile, time

def b64(s: bytes) -> str:
    return base64.b64encode(s).decode()

def basic(user_pass: bytes) -> str:
    return "Basic " + b64(user_pass)

def apr1(pw):
    return subprocess.run(["openssl", "passwd", "-apr1", "-salt", "saltsalt", pw], check=True, capture_output=True).stdout.decode().strip()

FILES = {
    "main": "\n".join([
        "# a comment",
        "alice:{PLAIN}secret",
        "bob:" + apr1("bobpw"),
        "alice:{PLAIN}other",
        "carol:{SHA}" + "5en6G6MezRroT3XKqkdPOmY/BfQ=" + ":a comment field",  # sha1("secret")
        "dave:{PLAIN}crlf\r",
        " eve:{PLAIN}x",
        "#frank:{PLAIN}x",
        "\r",
        "",
        "gina:{PLAIN}pw1",
        "hank:{PLAIN}",
        "ivan:{PLAIN}a:b",
        "judy:",
        "kate:{PLAIN}tab\tsep",
        "",
    ]),
    "swallow1": "al\nalice:{PLAIN}one\nalice:{PLAIN}two\n",
    "swallow2": "a\nal\nalice:{PLAIN}one\nalice:{PLAIN}two\n",
    "swallow3": "alice\r\nalice:{PLAIN}one\r\nalice:{PLAIN}two\r\n",
    "swallow4": "bo\nalice:{PLAIN}one\nalice:{PLAIN}two\n",
    "noeol": "alice:{PLAIN}last",
    "crlf": "alice:{PLAIN}one\r\nbob:{PLAIN}two\r\n",
}

REQUESTS = {
    "main": [
        ("plain ok", basic(b"alice:secret")),
        ("lower-case scheme", "basic " + b64(b"alice:secret")),
        ("upper-case scheme", "BASIC " + b64(b"alice:secret")),
        ("extra spaces", "Basic    " + b64(b"alice:secret")),
        ("tab instead of space", "Basic\t" + b64(b"alice:secret")),
        ("no space", "Basic" + b64(b"alice:secret")),
        ("scheme only", "Basic"),
        ("scheme and space only", "Basic "),
        ("other scheme", "Bearer " + b64(b"alice:secret")),
        ("duplicate user: first wins", basic(b"alice:other")),
        ("wrong password", basic(b"alice:Secret")),
        ("apr1", basic(b"bob:bobpw")),
        ("apr1 wrong", basic(b"bob:bobpw ")),
        ("sha with comment field", basic(b"carol:secret")),
        ("crlf line", basic(b"dave:crlf")),
        ("leading space is part of the name", basic(b" eve:x")),
        ("name without the space", basic(b"eve:x")),
        ("commented-out user", basic(b"#frank:x")),
        ("unknown user", basic(b"zoe:x")),
        ("unpadded base64", "Basic " + b64(b"gina:pw1").rstrip("=")),
        ("padded base64", basic(b"gina:pw1")),
        ("empty password", basic(b"hank:")),
        ("empty password, wrong", basic(b"hank:x")),
        ("hash ends at second colon", basic(b"ivan:a")),
        ("password with colon", basic(b"ivan:a:b")),
        ("empty hash", basic(b"judy:")),
        ("tab inside plain password", basic(b"kate:tab\tsep")),
        ("missing colon", basic(b"alice")),
        ("empty user", basic(b":secret")),
        ("base64url alphabet", "Basic " + b64(b"alice:secret>?").replace("+", "-").replace("/", "_")),
        ("invalid base64 char", "Basic YWxpY2U6c2Vj*mV0"),
        # nginx is laxer than sluice here (sluice denies these; see README):
        ("junk after padding", basic(b"gina:pw1") + "junk"),
        ("excess padding", "Basic " + b64(b"gina:pw1") + "="),
        ("NUL in password", basic(b"alice:secret\x00junk")),
    ],
    "swallow1": [("first alice line swallowed", basic(b"alice:one")), ("second alice line used", basic(b"alice:two"))],
    "swallow2": [("even run: first alice line used", basic(b"alice:one")), ("even run: second ignored", basic(b"alice:two"))],
    "swallow3": [("CRLF: no swallow", basic(b"alice:one")), ("CRLF: second ignored", basic(b"alice:two"))],
    "swallow4": [("not a prefix: no swallow", basic(b"alice:one")), ("not a prefix: second ignored", basic(b"alice:two"))],
    "noeol": [("last line without LF", basic(b"alice:last"))],
    "crlf": [("crlf first", basic(b"alice:one")), ("crlf second", basic(b"bob:two")), ("crlf includes CR", basic(b"bob:two\r"))],
}

PORT = 18931

def main():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(f"{d}/logs")
        locs = []
        for name, content in FILES.items():
            with open(f"{d}/{name}.htpasswd", "wb") as f:
                f.write(content.encode())
            locs.append(f"location = /{name} {{ auth_basic x; auth_basic_user_file {d}/{name}.htpasswd; default_type text/plain; alias {d}/ok.txt; }}")
        with open(f"{d}/ok.txt", "w") as f:
            f.write("ok\n")
        conf = f"""
user root; pid {d}/nginx.pid; error_log {d}/logs/error.log; worker_processes 1;
events {{ worker_connections 64; }}
http {{ access_log off; server {{ listen 127.0.0.1:{PORT}; {' '.join(locs)} }} }}
"""
        with open(f"{d}/nginx.conf", "w") as f:
            f.write(conf)
        proc = subprocess.Popen(["nginx", "-p", d, "-c", f"{d}/nginx.conf", "-g", "daemon off;"])
        try:
            for _ in range(50):
                try:
                    http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/")
                    break
                except OSError:
                    time.sleep(0.1)
            cases = []
            for name, reqs in REQUESTS.items():
                for title, header in reqs:
                    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
                    c.putrequest("GET", f"/{name}")
                    c.putheader("Authorization", header)
                    c.endheaders()
                    status = c.getresponse().status
                    c.close()
                    cases.append({"file": name, "title": title, "authorization": header, "status": status})
        finally:
            proc.terminate()
            proc.wait()
        version = subprocess.run(["nginx", "-v"], capture_output=True).stderr.decode().strip()
        json.dump({"generatedWith": version + " (Debian 12, glibc/libxcrypt crypt)", "files": FILES, "cases": cases}, sys.stdout, indent=1)
        print()

main()
