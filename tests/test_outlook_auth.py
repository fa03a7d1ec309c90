"""Signing in to Microsoft 365: the real msal against the loopback identity fake."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook.source import OutlookSource
from guardian.core.model import Window
from guardian.errors import EXIT_PROVIDER, AuthError, InputError, ProviderError
from tests.conftest import outlook_settings

UTC = UTC


@pytest.fixture
def fake(graph_fake):
    return graph_fake


@pytest.fixture
def settings(fake, tmp_path):
    return outlook_settings(fake.settings(token_cache=str(tmp_path / "cfg" / "outlook-token-cache.json")))


def _identity():
    return Identity(tz=ZoneInfo("Europe/Berlin"), me="me@contoso.com", domains=("contoso.com",))


def _window():
    start = datetime(2026, 11, 23, tzinfo=UTC)
    return Window(start, start + timedelta(days=7))


def test_device_code_login_then_silent_runs(fake, settings):
    shown = []
    who = outlook_auth.login(settings, method="device", prompt=shown.append)
    assert who == "me@contoso.com"
    assert len(shown) == 1 and "enter the code" in shown[0]
    assert fake.device_flows == 1

    cache = outlook_auth.token_cache_path(settings)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    text = cache.read_text()
    assert "RefreshToken" in text

    # a later run: silent, no device flow, no prompt
    fake.identity_log.clear()
    fake.seed_event(
        subject="Planning",
        start=datetime(2026, 11, 24, 9, tzinfo=UTC),
        end=datetime(2026, 11, 24, 10, tzinfo=UTC),
    )
    src = OutlookSource("me", _identity(), None, settings)
    events = src.read(_window())
    assert [e.title for e in events] == ["Planning"]
    assert fake.device_flows == 1
    assert not [r for r in fake.identity_log if "devicecode" in r.path]
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600


def test_read_only_sign_in_reads_with_calendars_read_alone(fake, settings):
    outlook_auth.login(settings, prompt=lambda _m: None, write=False)  # --read-only
    src = OutlookSource("me", _identity(), None, settings)
    src.read(_window())
    views = fake.requests("GET", "/calendarView")
    assert views and all(r.scopes == (f"{fake.base_url}/Calendars.Read",) for r in views)


# Entra ID issues a token only for what the user consented to (AADSTS65001), and
# msal's acquire_token_silent folds every refresh error into None: guardian reads
# with what sign-in obtained and names the real error.


def test_a_write_sign_in_reads_without_asking_for_consent_again(fake, settings):
    outlook_auth.login(settings, prompt=lambda _m: None)  # `guardian auth outlook`
    fake.seed_event(
        subject="Planning",
        start=datetime(2026, 11, 24, 9, tzinfo=UTC),
        end=datetime(2026, 11, 24, 10, tzinfo=UTC),
    )
    events = OutlookSource("me", _identity(), None, settings).read(_window())
    assert [e.title for e in events] == ["Planning"]
    assert fake.device_flows == 1


def test_a_sign_in_from_before_reads_with_the_write_scope_it_has(fake, settings):
    # what `guardian auth outlook` used to consent to: Calendars.ReadWrite alone
    outlook_auth.login(settings, [f"{fake.base_url}/Calendars.ReadWrite"], prompt=lambda _m: None)
    events = OutlookSource("me", _identity(), None, settings).read(_window())
    assert events == []
    views = fake.requests("GET", "/calendarView")
    assert views and all(r.scopes == (f"{fake.base_url}/Calendars.ReadWrite",) for r in views)


def test_a_read_only_sign_in_that_must_write_says_how_to_consent(fake, settings):
    outlook_auth.login(settings, prompt=lambda _m: None, write=False)
    with pytest.raises(AuthError) as err:
        outlook_auth.get_token(settings, write=True)
    assert "Calendars.ReadWrite" in err.value.message and "consent" in err.value.message
    assert err.value.hint == "run: guardian auth outlook"  # it consents to reading and writing


def test_conditional_access_is_named_not_called_expired(fake, settings):
    fake.token_lifetime = 60  # msal refreshes tokens this close to expiry
    outlook_auth.login(settings, prompt=lambda _m: None)
    fake.conditional_access = "AADSTS50076"
    with pytest.raises(AuthError) as err:
        outlook_auth.get_token(settings, write=False)
    assert "AADSTS50076" in err.value.message and "expired" not in err.value.message
    assert "guardian auth outlook" in err.value.hint
    assert "Trace ID" not in str(err.value)


def test_a_revoked_sign_in_says_revoked_with_the_server_code(fake, settings):
    fake.token_lifetime = 60  # msal refreshes tokens this close to expiry
    outlook_auth.login(settings, prompt=lambda _m: None)
    fake.revoke_all_tokens()
    with pytest.raises(AuthError) as err:
        outlook_auth.get_token(settings, write=False)
    assert "AADSTS700082" in err.value.message and "revoked" in err.value.message
    assert err.value.hint == "run: guardian auth outlook"


def test_no_saved_sign_in_is_a_set_up_step_with_a_hint(fake, settings):
    from guardian.errors import SignInRequired

    src = OutlookSource("me", _identity(), None, settings)
    with pytest.raises(SignInRequired) as err:
        src.read(_window())
    assert "guardian auth outlook" in str(err.value)
    assert err.value.exit_code == 2
    assert fake.log == []  # nothing reached Graph without a token


def test_expired_refresh_token_asks_to_sign_in_again(fake, settings):
    outlook_auth.login(settings, prompt=lambda _m: None, write=False)
    fake.revoke_all_tokens()
    # force msal past its cached access token
    src = OutlookSource("me", _identity(), None, settings)
    with pytest.raises(AuthError) as err:
        src.read(_window())
    assert "guardian auth outlook" in err.value.hint
    assert "fake-rt-" not in str(err.value) and "fake-at-" not in str(err.value)


def test_app_only_reads_another_mailbox(fake, settings, monkeypatch):
    fake.add_user("boss@contoso.com", "The Boss")
    fake.seed_event(
        "boss@contoso.com",
        subject="Board prep",
        start=datetime(2026, 11, 25, 9, tzinfo=UTC),
        end=datetime(2026, 11, 25, 10, tzinfo=UTC),
    )
    monkeypatch.setenv("GUARDIAN_TEST_SECRET", fake.client_secret)
    app_settings = replace(
        settings,
        client_secret_env="GUARDIAN_TEST_SECRET",
        authority=f"{fake.base_url}/contoso.onmicrosoft.com",
    )
    src = OutlookSource("boss@contoso.com", _identity(), None, app_settings)
    events = src.read(_window())
    assert [e.title for e in events] == ["Board prep"]
    assert fake.requests("GET", "/users/boss@contoso.com/calendarView")
    assert not outlook_auth.token_cache_path(settings).exists()  # app tokens stay in memory
    token_calls = [r for r in fake.identity_log if r.path.endswith("/token")]
    assert token_calls and token_calls[0].body["grant_type"] == "client_credentials"
    assert token_calls[0].body["scope"] == f"{fake.base_url}/.default"


def test_app_only_secret_missing_or_wrong_never_leaks(fake, settings, monkeypatch):
    app_settings = replace(
        settings,
        client_secret_env="GUARDIAN_TEST_SECRET",
        authority=f"{fake.base_url}/contoso.onmicrosoft.com",
    )
    monkeypatch.delenv("GUARDIAN_TEST_SECRET", raising=False)
    with pytest.raises(AuthError) as err:
        OutlookSource("boss@contoso.com", _identity(), None, app_settings).read(_window())
    assert "GUARDIAN_TEST_SECRET" in str(err.value)

    monkeypatch.setenv("GUARDIAN_TEST_SECRET", "wrong-secret-value-123")
    with pytest.raises(AuthError) as err:
        OutlookSource("boss@contoso.com", _identity(), None, app_settings).read(_window())
    assert "wrong-secret-value-123" not in str(err.value)
    assert "invalid_client" in str(err.value)


def test_app_only_with_outlook_me_says_to_name_the_mailbox(fake, settings, monkeypatch):
    # an app has no "me": Graph would answer 400 for /me; say what to write instead
    monkeypatch.setenv("GUARDIAN_TEST_SECRET", fake.client_secret)
    app_settings = replace(
        settings,
        client_secret_env="GUARDIAN_TEST_SECRET",
        authority=f"{fake.base_url}/contoso.onmicrosoft.com",
    )
    fake.clear_log()
    with pytest.raises(InputError) as err:
        OutlookSource("me", _identity(), None, app_settings).read(_window())
    assert err.value.exit_code == 2
    assert "outlook:USER" in str(err.value)
    assert fake.requests() == []


def test_unreachable_identity_platform_is_a_provider_error(fake, settings):
    outlook_auth.login(settings, prompt=lambda _m: None)
    fake.go_offline()  # the authority (and Graph) no longer answer
    with pytest.raises(ProviderError) as err:
        OutlookSource("me", _identity(), None, replace(settings, attempts=1), sleep=lambda _s: None).read(
            _window()
        )
    assert err.value.exit_code == EXIT_PROVIDER
    assert "outlook" in str(err.value)


def test_unreachable_authority_during_login_is_a_provider_error(fake, settings):
    fake.go_offline()
    with pytest.raises(ProviderError) as err:
        outlook_auth.login(settings, prompt=lambda _m: None)
    assert err.value.exit_code == EXIT_PROVIDER


def test_unreachable_authority_for_app_only_is_a_provider_error(fake, settings, monkeypatch):
    monkeypatch.setenv("GUARDIAN_TEST_SECRET", fake.client_secret)
    app_settings = replace(
        settings,
        client_secret_env="GUARDIAN_TEST_SECRET",
        authority=f"{fake.base_url}/contoso.onmicrosoft.com",
    )
    fake.go_offline()
    with pytest.raises(ProviderError) as err:
        OutlookSource("boss@contoso.com", _identity(), None, app_settings).read(_window())
    assert err.value.exit_code == EXIT_PROVIDER and fake.client_secret not in str(err.value)
