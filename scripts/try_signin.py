"""Try the dashboard's sign-in on your own machine, without Microsoft or Google.

    .venv/bin/python scripts/try_signin.py [--port 8501] [--admin you@example.com] [--db URL]

Starts the test suite's local OpenID Connect provider (tests/oidc_provider.py: Authlib's
server parts on a free port of 127.0.0.1; its sign-in form signs any email in as itself)
and the dashboard configured against it (a secrets file with an [auth] section, written to
a temporary folder, never to .streamlit/). Open http://127.0.0.1:<port>, press the sign-in
button, type the admin's email to sign in as admin, or any other email to see what a user
without a role sees (an admin gives roles on the Users page). By default the dashboard
runs on a fresh SQLite file in the temporary folder, filled with the demo at its first
start; --db points it at another database. Ctrl-C stops both. Needs nothing beyond
requirements.txt (Authlib, the app's own sign-in library, provides the provider's parts).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import oidc_provider  # noqa: E402  (the test suite's provider, on purpose: one provider to maintain)


def secrets(port: int, issuer: str, admin: str) -> str:
    """The [auth] section that points the dashboard on port at the provider at issuer."""
    return (
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-local-try-out-secret-never-used-for-real"\n'
        f'client_id = "{oidc_provider.CLIENT_ID}"\n'
        f'client_secret = "{oidc_provider.CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        f'admins = ["{admin}"]\n'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8501, help="the dashboard's port (default 8501)")
    parser.add_argument("--admin", default="you@example.com", help="the email that signs in as admin")
    parser.add_argument("--db", help="the database URL (default: a fresh SQLite file with the demo)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="budgetcore-signin-"))
    db_url = args.db or f"sqlite:///{folder / 'dashboard.db'}"
    with oidc_provider.running(f"http://127.0.0.1:{args.port}/oauth2callback") as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(secrets(args.port, provider.issuer, args.admin))
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                   "--server.headless", "true", "--server.port", str(args.port),
                   "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                   "--secrets.files", str(secrets_file)]  # fmt: skip
        app = subprocess.Popen(command, cwd=ROOT, env={**_environment(), "BUDGETCORE_DB_URL": db_url})
        print(f"sign-in provider: {provider.issuer} (any email signs in; {args.admin} is admin)", flush=True)
        print(f"dashboard: http://127.0.0.1:{args.port} on {db_url}; Ctrl-C stops both", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: app.terminate())
        try:
            return app.wait()
        except KeyboardInterrupt:
            app.terminate()
            return app.wait()


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "BUDGETCORE_NO_DEMO"}


if __name__ == "__main__":
    sys.exit(main())
