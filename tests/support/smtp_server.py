#!/usr/bin/python3
"""A real SMTP server for the tests, built on Debian's python3-aiosmtpd.

Run it with /usr/bin/python3 (Debian's interpreter, which has aiosmtpd):

    /usr/bin/python3 smtp_server.py --dir DIR [--port N] [--tls none|starttls|implicit]
        [--cert FILE --key FILE] [--auth-user NAME] [--auth-mechanisms PLAIN,LOGIN]

  --port 0 (default) picks a free port. The port is printed on stdout as the first line,
  once the server accepts connections.
  --tls starttls   offers STARTTLS and refuses MAIL before it (530)
  --tls implicit   TLS from the first byte (SMTPS)
  --auth-user      requires AUTH (PLAIN and LOGIN unless --auth-mechanisms) with this user
                   name and the password in $SMTP_TEST_PASSWORD (never on the command line);
                   with STARTTLS, AUTH is offered only after it.

Each accepted message is written to DIR as NNNN.eml (the DATA exactly as received, after
the transparency dots are removed) and then NNNN.json:

    {"mail_from": "...", "rcpt_tos": ["..."], "tls": true, "tls_version": "TLSv1.3",
     "starttls": true, "auth_user": "..." or null, "peer": "127.0.0.1",
     "subject": <decoded by Python's email package>, "body": <decoded text>,
     "headers": [[name, raw value], ...]}

so a test may wait for NNNN.json and then read both. SIGTERM or SIGINT stops it.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "tls": ssl_object is not None,
            "tls_version": ssl_object.version() if ssl_object else None,
            "starttls": session.ssl is not None,
            "auth_user": session.auth_data if session.authenticated else None,
            "peer": session.peer[0] if session.peer else None,
        }
        raw = envelope.original_content
        try:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            record["headers"] = [[k, v] for k, v in msg.raw_items()]
            record["subject"] = str(msg["subject"]) if msg["subject"] is not None else None
            record["body"] = msg.get_content() if not msg.is_multipart() else None
        except Exception as error:  # the raw .eml is still there to look at
            record["parse_error"] = repr(error)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted for delivery"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        # handled=False: aiosmtpd answers 535 itself (the default True leaves the client hanging)
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)
    return authenticate


async def serve(args):
    loop = asyncio.get_running_loop()
    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    options = dict(hostname="localhost", loop=loop, enable_SMTPUTF8=True)
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if args.auth_user is not None:
        password = os.environ.get("SMTP_TEST_PASSWORD")
        if password is None:
            sys.exit("smtp_server.py: --auth-user needs $SMTP_TEST_PASSWORD")
        excluded = []
        if args.auth_mechanisms:
            wanted = set(args.auth_mechanisms.upper().split(","))
            excluded = [m for m in ("PLAIN", "LOGIN") if m not in wanted]
        # aiosmtpd's "require TLS" only knows STARTTLS; implicit TLS is encrypted anyway.
        options.update(auth_required=True, auth_require_tls=(args.tls == "starttls"),
                       authenticator=make_authenticator(args.auth_user, password),
                       auth_exclude_mechanism=excluded)
    handler = Handler(args.dir)
    server = await loop.create_server(lambda: SMTP(handler, **options), host=args.host, port=args.port,
                                      ssl=context if args.tls == "implicit" else None)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    print(server.sockets[0].getsockname()[1], flush=True)
    await stop
    server.close()


def main():
    parser = argparse.ArgumentParser(description="SMTP server for tests (aiosmtpd)")
    parser.add_argument("--dir", required=True, help="where received messages are written")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--cert", help="PEM certificate (for --tls starttls|implicit)")
    parser.add_argument("--key", help="PEM private key (for --tls starttls|implicit)")
    parser.add_argument("--auth-user", help="require AUTH; password from $SMTP_TEST_PASSWORD")
    parser.add_argument("--auth-mechanisms", help="comma-separated subset of PLAIN,LOGIN")
    parser.add_argument("--verbose", action="store_true", help="aiosmtpd's debug log on stderr")
    args = parser.parse_args()
    if args.tls != "none" and not (args.cert and args.key):
        parser.error("--tls %s needs --cert and --key" % args.tls)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
