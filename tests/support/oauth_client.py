#!/usr/bin/python3
"""The client side of the OAuth 2.0 tests, written with tools nobody here wrote: Debian's
python3-requests-oauthlib / python3-oauthlib (the authorization URL, the code exchange,
the refresh) and python3-jwt (the access tokens verified against /auth/jwks.json).

  oauth_client.py authurl  ARGS   -> {"url", "state", "verifier"}
  oauth_client.py exchange ARGS   -> {"token", "claims", "header", "refreshed", "refreshed_claims"}
Arguments are one JSON object on stdin; the answer is one JSON object on stdout. An error
of the libraries is answered as {"exception": type, "message"} with exit status 0 so that
the test can assert on it.
"""

import json
import sys

import jwt
import requests
from requests_oauthlib import OAuth2Session


def authurl(a):
    session = OAuth2Session(a["client_id"], redirect_uri=a["redirect_uri"])
    extra, verifier = {}, ""
    if a.get("pkce"):
        verifier = session._client.create_code_verifier(64)
        extra = {"code_challenge": session._client.create_code_challenge(verifier, "S256"),
                 "code_challenge_method": "S256"}
    url, state = session.authorization_url(a["authorize_url"], **extra)
    return {"url": url, "state": state, "verifier": verifier}


def verify(token, jwks, client_id):
    header = jwt.get_unverified_header(token)
    keys = [k for k in jwks["keys"] if k.get("kid") == header["kid"]]
    if len(keys) != 1:
        raise ValueError("kid %s is not in the JWKS" % header["kid"])
    key = jwt.PyJWK(keys[0])
    claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=client_id,
                        options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": True})
    return header, claims


def exchange(a):
    cacert = a["cacert"]
    session = OAuth2Session(a["client_id"], redirect_uri=a["redirect_uri"], state=a["state"])
    extra = {}
    if a.get("verifier"):
        extra["code_verifier"] = a["verifier"]
    # Client authentication: HTTP Basic (requests-oauthlib's default) for the exchange...
    token = session.fetch_token(a["token_url"], code=a["code"], client_secret=a.get("client_secret"),
                                verify=cacert, **extra)
    jwks = requests.get(a["jwks_url"], verify=cacert, timeout=10).json()
    header, claims = verify(token["access_token"], jwks, a["client_id"])
    # ... and client_id/client_secret in the body for the refresh.
    creds = {"client_id": a["client_id"]}
    if a.get("client_secret"):
        creds["client_secret"] = a["client_secret"]
    refreshed = session.refresh_token(a["token_url"], verify=cacert, **creds)
    _, refreshed_claims = verify(refreshed["access_token"], jwks, a["client_id"])
    return {"token": token, "claims": claims, "header": header, "refreshed": refreshed,
            "refreshed_claims": refreshed_claims}


def main():
    args = json.load(sys.stdin)
    try:
        out = {"authurl": authurl, "exchange": exchange}[sys.argv[1]](args)
    except Exception as e:  # reported to the test, which asserts on it
        out = {"exception": type(e).__name__, "message": str(e)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
