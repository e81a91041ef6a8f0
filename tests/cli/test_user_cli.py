"""``aurum user revoke-tokens``, ``set-password`` and ``deactivate`` end every credential of
the user (issue 14, finding 5)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from aurum.cli import cli
from aurum.services import auth
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import PASSWORD, Registry


def _credentials(platform: Platform, actor: Actor) -> tuple[str, str, str]:
    """Two API tokens and one browser session of ``actor``."""
    with transaction(platform.sessions) as s:
        return (auth.issue_token(s, actor.user_id, "ci").token,
                auth.issue_token(s, actor.user_id, "laptop").token,
                auth.open_session(s, actor))


def _alive(platform: Platform, token: str, session_id: str) -> tuple[bool, bool]:
    with transaction(platform.sessions) as s:
        return (auth.token_credential(s, token) is not None,
                auth.session_credential(s, session_id) is not None)


def test_revoke_tokens_ends_every_token_and_session(platform: Platform, reg: Registry) -> None:
    token, other, browser = _credentials(platform, reg.ent_a)
    beta_token, _, beta_browser = _credentials(platform, reg.ent_b)
    out = CliRunner().invoke(cli, ["user", "revoke-tokens", "alpha", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"username": "alpha", "tokens_revoked": 2,
                                      "sessions_ended": 1}
    assert _alive(platform, token, browser) == (False, False)
    assert _alive(platform, other, browser) == (False, False)
    assert _alive(platform, beta_token, beta_browser) == (True, True)
    again = CliRunner().invoke(cli, ["user", "revoke-tokens", "alpha"])
    assert again.exit_code == 0
    assert again.output.strip() == ("credentials ended; revoked 0 API token(s) and ended 0 "
                                    "browser session(s) of alpha")
    unknown = CliRunner().invoke(cli, ["user", "revoke-tokens", "nobody"])
    assert unknown.exit_code == 2 and "no user 'nobody'" in unknown.output


def test_a_new_password_ends_the_old_credentials(platform: Platform, reg: Registry) -> None:
    token, _, browser = _credentials(platform, reg.ent_a)
    weak = CliRunner().invoke(cli, ["user", "set-password", "alpha", "--password", "aaaaaaaaaa"])
    assert weak.exit_code == 2 and "at least 5 different characters" in weak.output
    assert _alive(platform, token, browser) == (True, True)
    done = CliRunner().invoke(cli, ["user", "set-password", "alpha", "--password",
                                    "a-new-long-secret"])
    assert done.exit_code == 0, done.output
    assert _alive(platform, token, browser) == (False, False)
    with transaction(platform.sessions) as s:
        assert auth.authenticate(s, "alpha", PASSWORD) is None
        assert auth.authenticate(s, "alpha", "a-new-long-secret") is not None


def test_a_deactivated_user_cannot_log_in(platform: Platform, reg: Registry) -> None:
    token, _, browser = _credentials(platform, reg.ent_a)
    out = CliRunner().invoke(cli, ["user", "deactivate", "alpha", "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.output)["tokens_revoked"] == 2
    assert _alive(platform, token, browser) == (False, False)
    with transaction(platform.sessions) as s:
        assert auth.authenticate(s, "alpha", PASSWORD) is None
