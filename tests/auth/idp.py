"""A small OpenID Connect provider for the tests, on 127.0.0.1: discovery, JWKS, a sign-in
form, the authorization-code flow with PKCE, RS256 ID tokens (joserfc) and userinfo.

It knows a few users by name; whoever types one into its form is signed in as them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from markupsafe import escape
from werkzeug.serving import make_server

from support import free_port

CLIENT_ID, CLIENT_SECRET = "databoard-tests", "idp-client-secret-for-tests"
USERS = {
    # On the secret dashboard's list by a verified example.org address.
    "carol": {"email": "carol@example.org", "email_verified": True, "groups": ["staff"]},
    # Claims an example.org address the provider did not verify: not let in.
    "mallory": {"email": "mallory@example.org", "email_verified": False},
    # In the finance group, which the team dashboard lets in.
    "dave": {"email": "dave@elsewhere.net", "email_verified": True, "groups": ["finance"]},
}


def provider(issuer: str) -> Flask:
    """Return the provider's app, its issuer URL being *issuer*."""
    app = Flask(__name__)
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
    codes: dict[str, dict] = {}
    access_tokens: dict[str, str] = {}

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=issuer,
            authorization_endpoint=issuer + "/authorize",
            token_endpoint=issuer + "/token",
            userinfo_endpoint=issuer + "/userinfo",
            jwks_uri=issuer + "/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize_form():
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            abort(400, "unknown client or response type")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            abort(400, "PKCE with S256 is required")
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in args.items()
        )
        return (
            "<!doctype html><title>Test provider</title><form method=post>"
            f'{hidden}<label>User <input name="username" id="username"></label>'
            '<button type="submit">Continue</button></form>'
        )

    @app.post("/authorize")
    def authorize():
        form = request.form
        if form.get("username") not in USERS:
            abort(403, "unknown user")
        code = secrets.token_urlsafe(16)
        codes[code] = dict(form)
        query = urlencode({"code": code, "state": form["state"]})
        return redirect(f"{form['redirect_uri']}?{query}")

    @app.post("/token")
    def token():
        auth = request.authorization
        if not auth or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return jsonify(error="invalid_client"), 401
        grant = codes.pop(request.form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != request.form.get("redirect_uri"):
            return jsonify(error="invalid_grant"), 400
        verifier = request.form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant["code_challenge"]:
            return jsonify(error="invalid_grant", error_description="PKCE"), 400
        name = grant["username"]
        now = int(time.time())
        claims = {
            "iss": issuer,
            "sub": f"sub-{name}",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "preferred_username": name,
            **USERS[name],
        }
        access = secrets.token_urlsafe(16)
        access_tokens[access] = name
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        return jsonify(access_token=access, token_type="Bearer", expires_in=300, id_token=id_token)

    @app.get("/userinfo")
    def userinfo():
        name = access_tokens.get(request.headers.get("Authorization", "")[len("Bearer ") :])
        if name is None:
            return jsonify(error="invalid_token"), 401
        return jsonify(sub=f"sub-{name}", preferred_username=name, **USERS[name])

    return app


@contextlib.contextmanager
def running_provider() -> Iterator[str]:
    """Serve the provider on a free port in a thread; yield its issuer URL."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, provider(issuer), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        thread.join()
