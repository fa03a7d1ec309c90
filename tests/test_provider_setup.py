"""A provider calendar that was never set up is a set-up error: exit 2, one line, the fixing command.

Through the real command line, against the loopback fakes: nothing is
reached before the missing step is named.
"""

from __future__ import annotations

from tests.conftest import no_traceback

NOW = "2026-12-06T21:30:00+01:00"


def test_google_without_a_token_says_to_sign_in(cli, tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text(f'[google]\ntoken_file = "{tmp_path}/none.json"\n')
    code, out, err = cli("audit", "-c", "google:primary", "--config", config, "--now", NOW)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and no_traceback(err)
    assert "guardian auth google" in err


def test_outlook_never_signed_in_says_to_sign_in(cli, tmp_path, graph_fake):
    settings = graph_fake.settings(token_cache=str(tmp_path / "cache.json"))
    lines = "\n".join(f'{k} = "{v}"' for k, v in settings.items())
    config = tmp_path / "guardian.toml"
    config.write_text(f"[outlook]\n{lines}\n")
    code, out, err = cli("audit", "-c", "outlook:me", "--config", config, "--now", NOW)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and no_traceback(err)
    assert "guardian auth outlook" in err
    assert graph_fake.log == []


def test_outlook_without_a_client_id_says_where_it_goes(cli, tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text('[outlook]\ntenant = "contoso.onmicrosoft.com"\n')
    code, out, err = cli("audit", "-c", "outlook:me", "--config", config, "--now", NOW)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and no_traceback(err)
    assert "client_id" in err
