"""Google credentials: login flow, saved token (0600), refresh, scopes, service accounts."""

from __future__ import annotations

import json
import stat
import threading
import urllib.request
from pathlib import Path

import pytest

from guardian.adapters.settings import GoogleSettings
from guardian.adapters.sources.google.auth import SCOPES_READ, SCOPES_WRITE, load_credentials, login
from guardian.errors import AuthError, InputError, ProviderError

try:
    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file
except ImportError:  # tests/ itself on sys.path (no package __init__)
    from fakes.google_calendar import FakeGoogleCalendar, write_token_file

SECRETS = ("fake-refresh-token", "client-secret-value", "stale-access-token")


@pytest.fixture
def fake():
    with FakeGoogleCalendar() as server:
        yield server


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_expired_token_is_refreshed_through_the_files_token_uri_and_saved_0600(fake, tmp_path):
    path = write_token_file(tmp_path / "token.json", fake)
    assert mode(path) != 0o600  # as a careless copy would leave it
    creds = load_credentials(GoogleSettings(token_file=Path(str(path))), write=False)
    assert creds.valid and creds.token.startswith("ya29.fake-")
    assert [r["grant_type"] for r in fake.token_requests] == ["refresh_token"]
    saved = json.loads(path.read_text())
    assert saved["token"] == creds.token and saved["token_uri"] == fake.token_uri
    assert mode(path) == 0o600


def test_valid_token_is_used_without_a_refresh(fake, tmp_path):
    path = write_token_file(tmp_path / "token.json", fake, expired=False)
    load_credentials(GoogleSettings(token_file=Path(str(path))), write=True)
    assert fake.token_requests == []


def test_revoked_token_says_what_to_run_and_leaks_nothing(fake, tmp_path):
    path = write_token_file(tmp_path / "token.json", fake)
    fake.revoke()
    with pytest.raises(AuthError) as err:
        load_credentials(GoogleSettings(token_file=Path(str(path))), write=False)
    assert err.value.message == "Google refused the saved token"
    assert err.value.hint == "run: guardian auth google"
    assert err.value.__cause__ is None and err.value.__suppress_context__
    for secret in SECRETS:
        assert secret not in str(err.value)


def test_missing_token_file_is_a_set_up_step(tmp_path):
    from guardian.errors import SignInRequired

    with pytest.raises(SignInRequired) as err:
        load_credentials(GoogleSettings(token_file=Path(str(tmp_path / "nope.json"))), write=False)
    assert "guardian auth google" in str(err.value) and err.value.exit_code == 2


def test_read_only_token_is_refused_for_writes_with_a_hint(fake, tmp_path):
    path = write_token_file(tmp_path / "token.json", fake, scopes=tuple(SCOPES_READ))
    assert load_credentials(GoogleSettings(token_file=Path(str(path))), write=False).valid
    with pytest.raises(AuthError) as err:
        load_credentials(GoogleSettings(token_file=Path(str(path))), write=True)
    assert "only allows reading" in err.value.message
    assert err.value.hint == "run: guardian auth google --write"


def test_write_token_can_also_read(fake, tmp_path):
    path = write_token_file(tmp_path / "token.json", fake, scopes=tuple(SCOPES_WRITE))
    assert load_credentials(GoogleSettings(token_file=Path(str(path))), write=False).valid


def test_login_runs_the_installed_app_flow_and_writes_the_token_0600(fake, tmp_path, monkeypatch):
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps(fake.client_secrets()))
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake speaks plain HTTP

    class Browser:
        """Plays the user: opens the consent page, which redirects to guardian."""

        def __init__(self) -> None:
            self.threads: list[threading.Thread] = []

        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            def visit() -> None:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    resp.read()

            thread = threading.Thread(target=visit, daemon=True)
            thread.start()
            self.threads.append(thread)
            return True

    browser = Browser()
    import google_auth_oauthlib.flow as flow_mod

    monkeypatch.setattr(flow_mod.webbrowser, "get", lambda *a, **k: browser)
    token_file = tmp_path / "config" / "google-token.json"
    creds = login(secrets, token_file, SCOPES_READ, open_browser=True, timeout_seconds=10)
    for thread in browser.threads:
        thread.join(5)
    assert creds.refresh_token and creds.refresh_token.startswith("fake-refresh-")
    assert mode(token_file) == 0o600
    saved = json.loads(token_file.read_text())
    assert saved["refresh_token"] == creds.refresh_token
    assert saved["scopes"] == SCOPES_READ
    consent = fake.requests("GET", "/o/oauth2/auth")
    assert consent and consent[0].param("scope") == SCOPES_READ[0]
    # and the saved token works for later runs
    assert load_credentials(GoogleSettings(token_file=Path(str(token_file))), write=False).valid


def test_login_with_missing_secrets_file(tmp_path):
    with pytest.raises(InputError):
        login(tmp_path / "none.json", tmp_path / "t.json", SCOPES_READ, open_browser=False)


def test_service_account_with_subject(fake, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    sa = tmp_path / "sa.json"
    sa.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "p",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "guardian@p.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": fake.token_uri,
            }
        )
    )
    creds = load_credentials(GoogleSettings(service_account_file=sa, subject="me@example.com"), write=True)
    assert creds.valid
    [req] = fake.token_requests
    assert req["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    # the assertion is masked in the fake's log; check the granted scope instead
    assert fake.access_tokens[creds.token] == tuple(SCOPES_WRITE)


def test_login_with_an_unreachable_token_endpoint_is_a_provider_error(fake, tmp_path, monkeypatch):
    info = fake.client_secrets()
    for section in info.values():
        section["token_uri"] = "http://127.0.0.1:9/token"  # nothing listens there
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps(info))
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")

    class Browser:
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            def visit() -> None:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    resp.read()

            threading.Thread(target=visit, daemon=True).start()
            return True

    import google_auth_oauthlib.flow as flow_mod

    monkeypatch.setattr(flow_mod.webbrowser, "get", lambda *a, **k: Browser())
    token_file = tmp_path / "config" / "google-token.json"
    with pytest.raises(ProviderError) as err:
        login(secrets, token_file, SCOPES_READ, open_browser=True, timeout_seconds=10)
    assert err.value.exit_code == 3 and "client-secret-value" not in str(err.value)
    assert not token_file.exists()


AUTH = "https://www.googleapis.com/auth/"


def test_sign_in_asks_for_the_least_that_works():
    assert SCOPES_READ == [AUTH + "calendar.events.readonly"]
    assert SCOPES_WRITE == [AUTH + "calendar.events.readonly", AUTH + "calendar.events.owned"]


@pytest.mark.parametrize("old", ["calendar.readonly", "calendar.events"])
def test_a_token_with_the_old_broad_scopes_works_and_says_how_to_narrow_it(fake, tmp_path, caplog, old):
    path = write_token_file(tmp_path / "token.json", fake, scopes=(AUTH + old,))
    with caplog.at_level("WARNING", logger="guardian"):
        creds = load_credentials(GoogleSettings(token_file=path), write=old == "calendar.events")
    assert creds.valid
    (line,) = [r.getMessage() for r in caplog.records]
    assert old in line and "more than guardian needs" in line
    assert ("guardian auth google --write" if old == "calendar.events" else "guardian auth google") in line
