#!/usr/bin/python3
"""A small OAuth 2.0 provider for the external-login tests (standard library only).

It speaks the real protocol (RFC 6749 authorization code grant) over plain HTTP on
127.0.0.1:
  GET  /authorize  checks response_type=code and client_id, then redirects (302) to
                   redirect_uri with code and state, or with error=access_denied when
                   the test asked for a refusal
  POST /token      form-encoded grant_type=authorization_code, code, redirect_uri and the
                   client credentials (in the body or HTTP Basic); one use per code
  GET  /userinfo   Authorization: Bearer <access token> -> the user's claims
Test controls (JSON):
  POST /_user      the identity the next authorizations give ({"sub", "email", ...})
  POST /_deny      the next authorization is refused ({"error", "error_description"})
  GET  /_requests  every protocol request received so far

Usage: oauth_provider.py --client-id ID --client-secret SECRET
Prints the port it listens on as the first line of stdout.
"""

import argparse
import base64
import json
import secrets
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Provider:
    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.user = {"sub": "1001", "email": "someone@example.com", "email_verified": True,
                     "given_name": "Some", "family_name": "One", "name": "Some One"}
        self.deny = None
        self.codes = {}    # code -> {client_id, redirect_uri, user, used}
        self.tokens = {}   # access token -> user
        self.requests = []


def make_handler(provider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("oauth_provider: " + (fmt % args) + "\n")

        def reply(self, status, body, content_type="application/json", headers=()):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def json(self, status, obj, headers=()):
            self.reply(status, json.dumps(obj), headers=headers)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n).decode() if n else ""

        def record(self, params):
            with provider.lock:
                provider.requests.append({"method": self.command, "path": self.path.split("?")[0],
                                          "params": params,
                                          "authorization": self.headers.get("Authorization", "")})

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            if url.path == "/authorize":
                self.record(q)
                return self.authorize(q)
            if url.path == "/userinfo":
                self.record(q)
                auth = self.headers.get("Authorization", "")
                with provider.lock:
                    user = provider.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                if user is None:
                    return self.json(401, {"error": "invalid_token"},
                                     headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')])
                return self.json(200, user)
            if url.path == "/_requests":
                with provider.lock:
                    return self.json(200, provider.requests)
            self.json(404, {"error": "not_found"})

        def authorize(self, q):
            redirect_uri = q.get("redirect_uri", "")
            if q.get("client_id") != provider.client_id or not redirect_uri.startswith("http"):
                return self.reply(400, "unknown client or bad redirect_uri", "text/plain")
            params = {}
            with provider.lock:
                deny, provider.deny = provider.deny, None
                if deny is not None:
                    params.update(deny)
                elif q.get("response_type") != "code":
                    params["error"] = "unsupported_response_type"
                else:
                    code = secrets.token_urlsafe(24)
                    provider.codes[code] = {"client_id": q["client_id"], "redirect_uri": redirect_uri,
                                            "user": dict(provider.user), "used": False}
                    params["code"] = code
            if "state" in q:
                params["state"] = q["state"]
            sep = "&" if "?" in redirect_uri else "?"
            self.reply(302, "", "text/plain",
                       headers=[("Location", redirect_uri + sep + urllib.parse.urlencode(params))])

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            raw = self.body()
            if url.path == "/_user":
                with provider.lock:
                    provider.user = json.loads(raw)
                return self.json(200, {"ok": True})
            if url.path == "/_deny":
                with provider.lock:
                    provider.deny = json.loads(raw)
                return self.json(200, {"ok": True})
            if url.path != "/token":
                return self.json(404, {"error": "not_found"})
            form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
            self.record(form)
            if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                return self.json(400, {"error": "invalid_request", "error_description": "form-encoded body expected"})
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
                client_id = urllib.parse.unquote_plus(client_id)
                client_secret = urllib.parse.unquote_plus(client_secret)
            if client_id != provider.client_id or client_secret != provider.client_secret:
                return self.json(401, {"error": "invalid_client"},
                                 headers=[("WWW-Authenticate", 'Basic realm="provider"')])
            if form.get("grant_type") != "authorization_code":
                return self.json(400, {"error": "unsupported_grant_type"})
            with provider.lock:
                entry = provider.codes.get(form.get("code", ""))
                if (entry is None or entry["used"] or entry["client_id"] != client_id
                        or entry["redirect_uri"] != form.get("redirect_uri")):
                    return self.json(400, {"error": "invalid_grant"})
                entry["used"] = True
                token = secrets.token_urlsafe(24)
                provider.tokens[token] = entry["user"]
            self.json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args()
    provider = Provider(args.client_id, args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(provider))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
