"""A local OpenID Connect provider for the sign-in tests, built from Authlib's server parts.

Authlib's AuthorizationServer with its authorization-code grant, the OpenID Connect
code extension (RS256 ID tokens signed with a key made at start, published at the
jwks endpoint) and PKCE, served by a threading wsgiref server on 127.0.0.1:

  /.well-known/openid-configuration   discovery
  /authorize                          a sign-in form (any email signs in as itself)
  /token                              the code for tokens (client_secret_basic or _post)
  /jwks                               the public key
  /userinfo                           the claims of an access token

Nothing here is cryptography of our own: keys, signatures, codes, PKCE and every
check of a request are Authlib's and joserfc's.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import ClassVar
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Error,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "budget-dashboard", "test-client-secret-0123456789"


@dataclass
class User:
    email: str

    def get_user_id(self) -> str:
        return self.email


@dataclass
class Client(ClientMixin):
    redirect_uris: list[str]
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post") if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    """An issued authorization code and what it was issued for."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: User
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Request(OAuth2Request):
    """A WSGI request as Authlib's OAuth2Request: the query and the form are the payload."""

    def __init__(self, method: str, uri: str, headers: dict[str, str], query: dict, form: dict) -> None:
        super().__init__(method, uri, headers=headers)
        self._query, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Provider(AuthorizationServer):
    """The authorization server: one client, users made at sign-in, codes and tokens in memory."""

    def __init__(self, issuer: str, redirect_uri: str) -> None:
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.client = Client([redirect_uri])
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, User] = {}
        self.signed_in: list[str] = []  # every email that signed in, in order
        # per email, claims that differ from a verified address: {"email_verified": False}, or
        # {"email_verified": None} for a provider that sends no such claim
        self.claims: dict[str, dict[str, object]] = {}
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: Request) -> None:
                data = request.payload.data
                provider.codes[code] = Code(
                    code, request.client.get_client_id(), data.get("redirect_uri", ""), request.scope,
                    request.user, data.get("nonce"), data.get("code_challenge"), data.get("code_challenge_method"),
                )  # fmt: skip

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found is not None and found.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> User:
                return authorization_code.user

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce: str, request: Request) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client: Client) -> dict[str, object]:
                return {
                    "iss": provider.issuer,
                    "aud": [client.get_client_id()],
                    "exp": int(time.time()) + 3600,
                }

            def generate_user_info(self, user: User, scope: str) -> UserInfo:
                name = user.email.split("@")[0].replace(".", " ").title()
                claims: dict[str, object] = {
                    "sub": user.email,
                    "email": user.email,
                    "email_verified": True,
                    "name": name,
                }
                claims.update(provider.claims.get(user.email, {}))
                return UserInfo({k: v for k, v in claims.items() if v is not None})

        self.register_grant(CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=False)])
        self.register_token_generator("default", BearerTokenGenerator(lambda *_, **__: generate_token(42)))

    # --- AuthorizationServer's hooks -------------------------------------------------------------

    def query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict, request: Request) -> None:
        self.tokens[token["access_token"]] = request.user
        self.signed_in.append(request.user.email)

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def handle_response(self, status: int, body: object, headers: list) -> tuple[int, object, list]:
        return status, body, headers

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        pass

    # --- the endpoints -----------------------------------------------------------------------------

    def metadata(self) -> dict[str, object]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def wsgi(self, environ: dict, start_response) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = dict(parse_qsl(environ["wsgi.input"].read(size).decode())) if size else {}
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if "CONTENT_TYPE" in environ:
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        uri = f"{self.issuer}{path}" + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        request = Request(method, uri, headers, query, form)
        if path == "/.well-known/openid-configuration":
            status, body, extra = 200, self.metadata(), []
        elif path == "/jwks":
            status, body, extra = 200, {"keys": [self.key.as_dict(private=False)]}, []
        elif path == "/authorize" and method == "GET":
            try:  # Authlib validates the client, redirect URI, scope, nonce and PKCE challenge
                grant = self.get_consent_grant(request)
            except OAuth2Error as exc:
                status, body, extra = 400, dict(exc.get_body()), []
            else:
                status, body, extra = (
                    200,
                    self._form(environ.get("QUERY_STRING", ""), grant.client.client_id),
                    [],
                )
        elif path == "/authorize" and method == "POST":
            user = User(form.get("email", "").strip()) if form.get("email", "").strip() else None
            try:
                grant = self.get_consent_grant(request, end_user=user)
            except OAuth2Error as exc:
                status, body, extra = 400, dict(exc.get_body()), []
            else:
                status, body, extra = self.create_authorization_response(
                    request, grant_user=user, grant=grant
                )
        elif path == "/token" and method == "POST":
            status, body, extra = self.create_token_response(request)
        elif path == "/userinfo":
            token = headers.get("Authorization", "").removeprefix("Bearer ")
            user = self.tokens.get(token)
            status, body, extra = (
                (200, {"sub": user.email, "email": user.email}, []) if user else (401, {}, [])
            )
        else:
            status, body, extra = 404, {"error": "not found"}, []
        if isinstance(body, dict):
            payload, kind = json.dumps(body).encode(), "application/json"
        else:
            payload, kind = str(body).encode(), "text/html; charset=utf-8"
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
        extra = [(k, v) for k, v in extra if k.lower() != "content-type"]
        start_response(f"{status} {reason.get(status, 'Error')}", [("Content-Type", kind), *extra])
        return [payload]

    @staticmethod
    def _form(query: str, client: str) -> str:
        action = html.escape("/authorize?" + query)
        return (
            "<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
            f"<p>Sign in to {html.escape(client)}</p><form method='post' action='{action}'>"
            "<input name='email' type='email' id='email' placeholder='email'>"
            "<button type='submit' id='signin'>Sign in</button></form>"
        )


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def running(redirect_uri: str) -> Iterator[Provider]:
    """A provider on a free port of 127.0.0.1 whose one client redirects to redirect_uri."""
    server = make_server("127.0.0.1", 0, lambda e, s: provider.wsgi(e, s), _Threading, _Quiet)
    provider = Provider(f"http://127.0.0.1:{server.server_port}", redirect_uri)
    # shutdown() waits for serve_forever to look at its flag: every 0.05 s here, not 0.5 s
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
