"""Settings: file < environment < arguments, strict types, hidden secrets, odd files refused."""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import time
from pathlib import Path

import pytest

from livedesk_tui import config_file, paths, secret_command
from livedesk_tui.api.connection import DEFAULT_BASE_URL
from livedesk_tui.api.errors import ConfigError
from livedesk_tui.settings import load_preferences, load_settings

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

FAKE_KEY = "key-Zq8vLw3n"
FAKE_SECRET = "secret-Hx27pRt9kQ"
ENV_CREDS = {"LIVEDESK_API_KEY": "env-key", "LIVEDESK_API_SECRET": "env-secret"}


def write_config(
    tmp_path: Path, text: str, *, mode: int = 0o600, name: str = "config.toml"
) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def py_command(code: str) -> str:
    """A command line running ``code`` with this interpreter, quoted for TOML."""
    return json.dumps(shlex.join([sys.executable, "-c", code]))


TWO_PROFILES = f"""
default_profile = "work"
theme = "nord"
[keys]
next_page = "n,right"
[profiles.work]
base_url = "https://work.example.com"
api_key = "{FAKE_KEY}"
api_secret = "{FAKE_SECRET}"
labels = ["vip", "billing", "vip", ""]
[profiles.jp]
base_url = "https://jp.example.com"
api_key = "jp-key"
api_secret = "jp-secret"
"""


# --- paths ---------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are Linux's")
def test_paths_follow_xdg_and_create_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "st"))
    assert paths.config_dir() == tmp_path / "cfg" / "livedesk-tui"
    assert paths.default_config_path() == tmp_path / "cfg" / "livedesk-tui" / "config.toml"
    assert paths.state_dir() == tmp_path / "st" / "livedesk-tui"
    assert paths.state_path().parent == paths.state_dir()
    assert paths.default_log_path().parent == paths.log_dir()
    assert paths.log_dir().is_relative_to(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are Linux's")
def test_default_config_path_is_used_without_config_or_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "livedesk-tui").mkdir()
    write_config(tmp_path / "livedesk-tui", TWO_PROFILES)
    got = load_settings(env={})
    assert got.config_path == tmp_path / "livedesk-tui" / "config.toml"
    assert got.profile == "work"


# --- missing file, defaults, profile choice ---------------------------------------------------


def test_missing_config_file_uses_defaults_and_env(tmp_path: Path) -> None:
    got = load_settings(config_path=tmp_path / "absent.toml", env=ENV_CREDS)
    assert got.connection.base_url == DEFAULT_BASE_URL
    assert got.connection.dialect == "livedesk"
    assert got.profile == "default"
    assert got.profiles == ()
    assert got.connection.api_key.reveal() == "env-key"
    assert got.connection.api_secret.reveal() == "env-secret"
    assert got.connection.origin == "LIVEDESK_API_KEY / LIVEDESK_API_SECRET"
    assert got.theme is None
    assert dict(got.keys) == {}
    # Named explicitly but absent: worth a word, not an error.
    assert any("absent.toml" in w and "does not exist" in w for w in got.warnings)


def test_missing_default_file_gives_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "default_config_path", lambda: tmp_path / "nope" / "config.toml")
    got = load_settings(env=ENV_CREDS)
    assert got.config_path == tmp_path / "nope" / "config.toml"
    assert got.warnings == ()


def test_missing_credentials_say_where_to_put_them(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    message = str(caught.value)
    assert str(path) in message
    assert "[profiles.default]" in message
    assert "api_key" in message and "api_secret" in message
    assert "LIVEDESK_API_KEY" in message and "LIVEDESK_API_SECRET" in message
    assert caught.value.exit_code == 2


def test_missing_secret_only_names_the_secret(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.default]\napi_key = "k"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    message = str(caught.value)
    assert "API secret" in message and "LIVEDESK_API_SECRET" in message
    assert "LIVEDESK_API_KEY" not in message


def test_missing_credentials_mention_the_profiles_there_are(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.work]\napi_key = "k"\napi_secret = "s"\n')
    with pytest.raises(ConfigError, match="'work'"):
        load_settings(config_path=path, env={})


def test_credentials_not_required(tmp_path: Path) -> None:
    got = load_settings(config_path=tmp_path / "absent.toml", env={}, require_credentials=False)
    assert not got.connection.api_key
    assert not got.connection.api_secret
    assert got.connection.origin == "no credentials"


def test_config_path_from_env_and_argument(tmp_path: Path) -> None:
    env_file = write_config(
        tmp_path, '[profiles.default]\nbase_url = "https://env.example.com"\n', name="env.toml"
    )
    arg_file = write_config(
        tmp_path, '[profiles.default]\nbase_url = "https://arg.example.com"\n', name="arg.toml"
    )
    env = {"LIVEDESK_CONFIG": str(env_file)}
    got = load_settings(env=env, require_credentials=False)
    assert (got.config_path, got.connection.base_url) == (env_file, "https://env.example.com")
    got = load_settings(config_path=arg_file, env=env, require_credentials=False)
    assert (got.config_path, got.connection.base_url) == (arg_file, "https://arg.example.com")


@pytest.mark.parametrize(
    ("argument", "env", "expected"),
    [
        (None, {}, "work"),  # default_profile
        (None, {"LIVEDESK_PROFILE": "jp"}, "jp"),  # env over default_profile
        ("work", {"LIVEDESK_PROFILE": "jp"}, "work"),  # argument over env
        ("jp", {}, "jp"),
    ],
)
def test_profile_selection(
    tmp_path: Path, argument: str | None, env: dict[str, str], expected: str
) -> None:
    path = write_config(tmp_path, TWO_PROFILES)
    got = load_settings(config_path=path, profile=argument, env=env)
    assert got.profile == expected
    assert got.connection.profile == expected
    assert got.connection.base_url == f"https://{expected}.example.com"
    assert got.profiles == ("work", "jp")


def test_profile_falls_back_to_default(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[profiles.default]\nbase_url = "https://d.example.com"\n[profiles.other]\n'
    )
    got = load_settings(config_path=path, env={}, require_credentials=False)
    assert got.profile == "default"
    assert got.connection.base_url == "https://d.example.com"


@pytest.mark.parametrize(
    ("argument", "env", "text", "source"),
    [
        ("nope", {}, TWO_PROFILES, "--profile"),
        (None, {"LIVEDESK_PROFILE": "nope"}, TWO_PROFILES, "LIVEDESK_PROFILE"),
        (
            None,
            {},
            'default_profile = "nope"\n' + TWO_PROFILES.split("\n", 2)[2],
            "default_profile",
        ),
    ],
)
def test_unknown_profile_lists_the_profiles_there_are(
    tmp_path: Path, argument: str | None, env: dict[str, str], text: str, source: str
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile=argument, env=env)
    message = str(caught.value)
    assert "'nope'" in message and source in message and str(path) in message
    assert "'work'" in message and "'jp'" in message


def test_unknown_profile_with_no_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(config_path=tmp_path / "absent.toml", profile="work", env=ENV_CREDS)


@pytest.mark.parametrize(
    "name",
    ["work", "w x", "a.b", 'my "team".jp\n\t\x7f\x01 日本語 🔑', "back\\slash", "[x]"],
)
def test_the_table_header_a_message_asks_for_is_the_profile_s_own(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=tmp_path / "absent.toml", profile=name, env=ENV_CREDS)
    found = re.search(r"Add a (\[profiles\..+\]) table or choose", str(caught.value))
    assert found is not None
    path = write_config(tmp_path, f'{found[1]}\nbase_url = "https://named.example.com"\n')
    got = load_settings(config_path=path, profile=name, env=ENV_CREDS)
    assert (got.profiles, got.connection.base_url) == ((name,), "https://named.example.com")


# --- precedence of each setting ---------------------------------------------------------------

PRECEDENCE_FILE = """
[profiles.default]
base_url = "https://file.example.com"
api_key = "file-key"
api_secret = "file-secret"
dialect = "chatwoot"
account_id = 1
"""


@pytest.mark.parametrize(
    ("env", "kwargs", "expected"),
    [
        ({}, {}, "https://file.example.com"),
        ({"LIVEDESK_BASE_URL": "https://env.example.com/"}, {}, "https://env.example.com"),
        (
            {"LIVEDESK_BASE_URL": "https://env.example.com"},
            {"base_url": "https://arg.example.com"},
            "https://arg.example.com",
        ),
    ],
)
def test_base_url_precedence(
    tmp_path: Path, env: dict[str, str], kwargs: dict[str, str], expected: str
) -> None:
    path = write_config(tmp_path, PRECEDENCE_FILE)
    assert load_settings(config_path=path, env=env, **kwargs).connection.base_url == expected


@pytest.mark.parametrize(
    ("env", "kwargs", "expected"),
    [
        ({}, {}, 1),
        ({"LIVEDESK_ACCOUNT_ID": "22"}, {}, 22),
        ({"LIVEDESK_ACCOUNT_ID": "22"}, {"account_id": 333}, 333),
    ],
)
def test_account_id_precedence(
    tmp_path: Path, env: dict[str, str], kwargs: dict[str, int], expected: int
) -> None:
    path = write_config(tmp_path, PRECEDENCE_FILE)
    assert load_settings(config_path=path, env=env, **kwargs).connection.account_id == expected


@pytest.mark.parametrize(
    ("env", "kwargs", "expected"),
    [
        ({}, {}, "chatwoot"),
        ({"LIVEDESK_DIALECT": "livedesk"}, {}, "livedesk"),
        ({"LIVEDESK_DIALECT": "livedesk"}, {"dialect": "chatwoot"}, "chatwoot"),
    ],
)
def test_dialect_precedence(
    tmp_path: Path, env: dict[str, str], kwargs: dict[str, str], expected: str
) -> None:
    path = write_config(tmp_path, PRECEDENCE_FILE)
    assert load_settings(config_path=path, env=env, **kwargs).connection.dialect == expected


def test_credentials_precedence(tmp_path: Path) -> None:
    path = write_config(tmp_path, PRECEDENCE_FILE)
    from_file = load_settings(config_path=path, env={}, dialect="livedesk").connection
    assert (from_file.api_key.reveal(), from_file.api_secret.reveal()) == (
        "file-key",
        "file-secret",
    )
    assert from_file.origin == f"profile 'default' in {path}"

    from_env = load_settings(config_path=path, env=ENV_CREDS, dialect="livedesk").connection
    assert (from_env.api_key.reveal(), from_env.api_secret.reveal()) == ("env-key", "env-secret")
    assert from_env.origin == "LIVEDESK_API_KEY / LIVEDESK_API_SECRET"

    mixed = load_settings(
        config_path=path, env={"LIVEDESK_API_KEY": "env-key"}, dialect="livedesk"
    ).connection
    assert (mixed.api_key.reveal(), mixed.api_secret.reveal()) == ("env-key", "file-secret")
    assert "LIVEDESK_API_KEY" in mixed.origin and "profile 'default'" in mixed.origin


def test_empty_env_values_do_not_override(tmp_path: Path) -> None:
    path = write_config(tmp_path, PRECEDENCE_FILE)
    env = {"LIVEDESK_BASE_URL": "", "LIVEDESK_API_KEY": "", "LIVEDESK_PROFILE": ""}
    got = load_settings(config_path=path, env=env)
    assert got.connection.base_url == "https://file.example.com"
    assert got.connection.api_key.reveal() == "file-key"


# --- dialects -------------------------------------------------------------------------------


def test_chatwoot_needs_account_id(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.default]\napi_key = "token"\ndialect = "chatwoot"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    message = str(caught.value)
    assert (
        "account_id" in message and "LIVEDESK_ACCOUNT_ID" in message and "--account-id" in message
    )


def test_chatwoot_needs_only_the_token(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.default]\napi_key = "token"\n')
    got = load_settings(
        config_path=path, env={"LIVEDESK_DIALECT": "chatwoot", "LIVEDESK_ACCOUNT_ID": "7"}
    )
    assert got.connection.dialect == "chatwoot"
    assert got.connection.account_id == 7
    assert got.connection.api_key.reveal() == "token"
    assert not got.connection.api_secret
    with pytest.raises(ConfigError, match="access token"):
        load_settings(
            config_path=tmp_path / "absent.toml", dialect="chatwoot", account_id=7, env={}
        )


def test_chatwoot_does_not_run_the_secret_command(tmp_path: Path) -> None:
    text = f'[profiles.default]\napi_key = "t"\naccount_id = 3\ndialect = "chatwoot"\napi_secret_command = {py_command("raise SystemExit(9)")}\n'
    got = load_settings(config_path=write_config(tmp_path, text), env={})
    assert got.connection.dialect == "chatwoot"


@pytest.mark.parametrize(
    ("env", "kwargs", "named"),
    [
        ({"LIVEDESK_DIALECT": "zendesk"}, {}, "LIVEDESK_DIALECT"),
        ({}, {"dialect": "zendesk"}, "--dialect"),
        ({"LIVEDESK_ACCOUNT_ID": "abc"}, {}, "LIVEDESK_ACCOUNT_ID"),
        ({"LIVEDESK_ACCOUNT_ID": "-4"}, {}, "LIVEDESK_ACCOUNT_ID"),
        ({}, {"account_id": 0}, "--account-id"),
    ],
)
def test_bad_env_and_argument_values_are_named(
    tmp_path: Path, env: dict[str, str], kwargs: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(config_path=tmp_path / "absent.toml", env={**ENV_CREDS, **env}, **kwargs)


# --- malformed files and wrong types ----------------------------------------------------------


def test_malformed_toml_names_path_and_line(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, f'[profiles.work]\napi_secret = "{FAKE_SECRET}"\nbase_url = https://x\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    message = str(caught.value)
    assert str(path) in message
    assert "line 3" in message
    assert FAKE_SECRET not in message


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(config_path=path, env={})


def test_config_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        load_settings(config_path=tmp_path, env={})


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[profiles.work]\nbase_url = 5\n", ("base_url", "work")),
        ('[profiles.work]\naccount_id = "abc"\n', ("account_id", "work")),
        ("[profiles.work]\naccount_id = true\n", ("account_id", "work")),
        ('[profiles.work]\nlabels = "vip"\n', ("labels", "work")),
        ("[profiles.work]\nlabels = [1, 2]\n", ("labels", "work")),
        ('[profiles.work]\ndialect = "zendesk"\n', ("dialect", "work")),
        ("[profiles.work]\ndialect = 1\n", ("dialect", "work")),
        ("[profiles.work]\napi_key = 12345678\n", ("api_key", "work")),
        ("[profiles.work]\napi_secret = [1]\n", ("api_secret", "work")),
        ("[profiles.work]\napi_secret_command = 1\n", ("api_secret_command", "work")),
        ("[profiles.work]\n[keys]\nnext_page = 1\n", ("next_page", "[keys]")),
        ('keys = "n"\n[profiles.work]\n', ("keys",)),
        ("theme = 3\n[profiles.work]\n", ("theme",)),
        ("default_profile = 3\n[profiles.work]\n", ("default_profile",)),
        ('profiles = "work"\n', ("profiles",)),
        ('[profiles]\nwork = "x"\n', ("'work'", "table")),
    ],
)
def test_wrong_types_name_the_key_and_profile(
    tmp_path: Path, text: str, names: tuple[str, ...]
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(
            config_path=path, profile="work" if "[profiles.work]" in text else None, env=ENV_CREDS
        )
    message = str(caught.value)
    for name in names:
        assert name in message
    assert str(path) in message or "work" in message
    assert "12345678" not in message  # a mistyped credential is never echoed


def test_both_secret_and_command_is_an_error(tmp_path: Path) -> None:
    text = f'[profiles.default]\napi_key = "k"\napi_secret = "{FAKE_SECRET}"\napi_secret_command = "x"\n'
    with pytest.raises(ConfigError, match="keep one") as caught:
        load_settings(config_path=write_config(tmp_path, text), env={})
    assert FAKE_SECRET not in str(caught.value)


# --- base URL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://livedesk-api.engagelab.com",
        "http://localhost.evil.com",
        "http://127.0.0.1.nip.io",
        "http://user@127.0.0.1",
        "http://10.0.0.1:8000",
        "ftp://localhost",
        "livedesk-api.engagelab.com",
    ],
)
def test_unsafe_base_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=tmp_path / "absent.toml", base_url=url, env=ENV_CREDS)
    assert "--base-url" in str(caught.value)
    with pytest.raises(ConfigError, match="LIVEDESK_BASE_URL"):
        load_settings(
            config_path=tmp_path / "absent.toml", env={**ENV_CREDS, "LIVEDESK_BASE_URL": url}
        )


def test_unsafe_base_url_in_file_names_the_profile(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.work]\nbase_url = "http://example.com"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env=ENV_CREDS)
    assert "base_url" in str(caught.value) and "[profiles.work]" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("http://localhost", "http://localhost"),
        ("https://example.com/base/", "https://example.com/base"),
    ],
)
def test_loopback_http_and_https_are_allowed(tmp_path: Path, url: str, expected: str) -> None:
    got = load_settings(config_path=tmp_path / "absent.toml", base_url=url, env=ENV_CREDS)
    assert got.connection.base_url == expected


# --- api_secret_command ---------------------------------------------------------------------


def command_config(tmp_path: Path, code: str) -> Path:
    text = f'[profiles.work]\napi_key = "k"\napi_secret_command = {py_command(code)}\n'
    return write_config(tmp_path, text)


def test_secret_command_gives_the_secret(tmp_path: Path) -> None:
    path = command_config(tmp_path, f"print({FAKE_SECRET!r}); print('notes: second line')")
    got = load_settings(config_path=path, profile="work", env={})
    assert got.connection.api_secret.reveal() == FAKE_SECRET
    assert got.connection.origin == f"profile 'work' in {path}"
    assert FAKE_SECRET not in repr(got) and FAKE_SECRET not in str(got)


def test_secret_from_env_wins_over_the_command(tmp_path: Path) -> None:
    path = command_config(tmp_path, "raise SystemExit(5)")
    got = load_settings(config_path=path, profile="work", env={"LIVEDESK_API_SECRET": "env-secret"})
    assert got.connection.api_secret.reveal() == "env-secret"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            f"import sys; print({FAKE_SECRET!r}); print({FAKE_SECRET!r}, file=sys.stderr); sys.exit(3)",
            "exit status 3",
        ),
        ("pass", "printed nothing"),
        ("print()", "printed nothing"),
        (f"import sys; sys.stdout.buffer.write(b'\\xff' + {FAKE_SECRET!r}.encode())", "UTF-8"),
    ],
)
def test_secret_command_failure_never_shows_its_output(
    tmp_path: Path, code: str, expected: str
) -> None:
    path = command_config(tmp_path, code)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env={})
    error = caught.value
    assert expected in str(error)
    assert sys.executable in str(error)  # the command's first word
    for text in (
        str(error),
        repr(error),
        error.detail,
        str(error.__cause__),
        str(error.__context__),
    ):
        assert FAKE_SECRET not in text
    assert error.__cause__ is None


def test_secret_command_not_found(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[profiles.work]\napi_key = "k"\napi_secret_command = "no-such-program-x7 show"\n'
    )
    with pytest.raises(ConfigError, match=r"'no-such-program-x7'.*not found"):
        load_settings(config_path=path, profile="work", env={})


def test_secret_command_that_cannot_be_parsed(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[profiles.work]\napi_key = "k"\napi_secret_command = "pass \'unclosed"\n'
    )
    with pytest.raises(ConfigError, match="cannot be parsed"):
        load_settings(config_path=path, profile="work", env={})


def test_secret_command_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secret_command, "SECRET_COMMAND_TIMEOUT", 0.3)
    path = command_config(
        tmp_path, f"import time; print({FAKE_SECRET!r}, flush=True); time.sleep(30)"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env={})
    assert "did not finish" in str(caught.value)
    assert FAKE_SECRET not in str(caught.value) and caught.value.__cause__ is None


@posix_only
def test_secret_command_is_not_run_from_a_file_others_can_write(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = command_config(tmp_path, f"open({str(marker)!r}, 'w'); print('s')")
    path.chmod(0o666)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings(config_path=path, profile="work", env={})
    assert not marker.exists()
    path.chmod(0o600)
    assert load_settings(config_path=path, profile="work", env={}).connection.api_secret
    assert marker.exists()


def test_failing_secret_command_is_a_warning_when_credentials_are_optional(tmp_path: Path) -> None:
    path = command_config(tmp_path, "raise SystemExit(4)")
    got = load_settings(config_path=path, profile="work", env={}, require_credentials=False)
    assert not got.connection.api_secret
    assert any("exit status 4" in warning for warning in got.warnings)


# --- permissions, unknown keys, secrets in text -----------------------------------------------


@posix_only
def test_readable_config_with_a_secret_warns(tmp_path: Path) -> None:
    path = write_config(tmp_path, TWO_PROFILES, mode=0o644)
    got = load_settings(config_path=path, env={})
    warning = next(w for w in got.warnings if "chmod 600" in w)
    assert str(path) in warning
    assert FAKE_SECRET not in warning and FAKE_KEY not in warning


@posix_only
def test_private_config_does_not_warn(tmp_path: Path) -> None:
    path = write_config(tmp_path, TWO_PROFILES, mode=0o600)
    assert load_settings(config_path=path, env={}).warnings == ()


@posix_only
def test_readable_config_without_a_secret_does_not_warn(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[profiles.default]\nbase_url = "https://x.example.com"\n', mode=0o644
    )
    assert load_settings(config_path=path, env=ENV_CREDS).warnings == ()


def test_unknown_keys_are_warned_about(tmp_path: Path) -> None:
    text = f'colour = "red"\nbase_url = "https://x.example.com"\n[profiles.work]\napi_key = "k"\napi_secrett = "{FAKE_SECRET}"\n'
    got = load_settings(
        config_path=write_config(tmp_path, text), profile="work", env={}, require_credentials=False
    )
    text_of_warnings = "\n".join(got.warnings)
    assert "'api_secrett'" in text_of_warnings and "did you mean 'api_secret'" in text_of_warnings
    assert "'colour'" in text_of_warnings
    assert "'base_url'" in text_of_warnings and "[profiles.NAME]" in text_of_warnings
    assert FAKE_SECRET not in text_of_warnings


def test_theme_keys_and_labels(tmp_path: Path) -> None:
    got = load_settings(config_path=write_config(tmp_path, TWO_PROFILES), env={})
    assert got.theme == "nord"
    assert dict(got.keys) == {"next_page": "n,right"}
    assert got.label_suggestions == ("vip", "billing")
    with pytest.raises(TypeError):
        got.keys["quit"] = "x"  # type: ignore[index]


def test_secrets_never_in_repr(tmp_path: Path) -> None:
    got = load_settings(config_path=write_config(tmp_path, TWO_PROFILES), env={})
    assert got.connection.api_key.reveal() == FAKE_KEY
    assert got.connection.api_secret.reveal() == FAKE_SECRET
    for text in (
        repr(got),
        str(got),
        repr(got.connection),
        f"{got.connection}",
        "\n".join(got.warnings),
    ):
        assert FAKE_SECRET not in text and FAKE_KEY not in text


# --- secrets of every shape never reach a message ---------------------------------------------

URL_PASSWORD = "Pw1/Pw2#Pw3?Pw4@Pw5"
URL_PIECES = ("Pw1", "Pw2", "Pw3", "Pw4", "Pw5", "usr-Lm4")


@pytest.mark.parametrize(
    "url",
    [
        f"https://usr-Lm4:{URL_PASSWORD}@work.example.com/",
        f"http://usr-Lm4:{URL_PASSWORD}@work.example.com",
        "https://usr-Lm4/Pw1#Pw2?Pw3@work.example.com",
        "https://usr-Lm4:Pw1?@work.example.com",
        "https://work.example.com:usr-Lm4/",
        "https://work.example.com/?token=usr-Lm4",
        "usr-Lm4",
    ],
)
@pytest.mark.parametrize("source", ["--base-url", "LIVEDESK_BASE_URL", "base_url under"])
def test_a_refused_base_url_from_anywhere_shows_no_credential(
    tmp_path: Path, url: str, source: str
) -> None:
    text = "[profiles.work]\n"
    if source == "base_url under":
        text += f"base_url = {json.dumps(url)}\n"
    path = write_config(tmp_path, text)
    env = {**ENV_CREDS, **({"LIVEDESK_BASE_URL": url} if source == "LIVEDESK_BASE_URL" else {})}
    kwargs = {"base_url": url} if source == "--base-url" else {}
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env=env, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert source in error.message
    for text in (str(error), repr(error), repr(error.args), repr(error.__context__)):
        for piece in URL_PIECES:
            assert piece not in text


# --- credentials with line breaks, controls, spaces -------------------------------------------

TOKEN = "tok-Vb83Nq2Lx"
"""Split in two by a space or a line break: neither half may show."""

BAD_TOKENS = [
    pytest.param(FAKE_SECRET + "\n", "line break", id="trailing-LF"),
    pytest.param(FAKE_SECRET + "\r\n", "line break", id="trailing-CRLF"),
    pytest.param(FAKE_SECRET + "\r", "line break", id="trailing-CR"),
    pytest.param(TOKEN[:6] + "\n" + TOKEN[6:], "line break", id="LF-inside"),
    pytest.param(FAKE_SECRET + "\x00", "control character", id="NUL"),
    pytest.param(FAKE_SECRET + "\x1b[2J", "control character", id="ESC"),
    pytest.param(FAKE_SECRET + "\x7f", "control character", id="DEL"),
    pytest.param(FAKE_SECRET + "\x9b", "control character", id="C1"),
    pytest.param(FAKE_SECRET + "\u2028", "line break", id="U+2028"),
    pytest.param(FAKE_SECRET + " ", "space", id="trailing-space"),
    pytest.param("\t" + FAKE_SECRET, "space", id="leading-tab"),
    pytest.param(TOKEN[:6] + " " + TOKEN[6:], "space", id="space-inside"),
    pytest.param(FAKE_SECRET + "\u00a0", "space", id="NBSP"),
    pytest.param("“" + FAKE_SECRET + "”", "not ASCII", id="typographic-quotes"),
]


def assert_never_shows_the_secret(error: ConfigError) -> None:
    for text in (str(error), repr(error), repr(error.args), error.detail, repr(error.__context__)):
        for needle in (FAKE_SECRET, FAKE_SECRET[7:], TOKEN[:6], TOKEN[6:]):
            assert needle not in text


@pytest.mark.parametrize(("value", "kind"), BAD_TOKENS)
@pytest.mark.parametrize("key", ["api_key", "api_secret"])
def test_a_credential_in_the_file_with_a_control_or_space_is_refused(
    tmp_path: Path, key: str, value: str, kind: str
) -> None:
    other = "api_secret" if key == "api_key" else "api_key"
    text = f'[profiles.work]\n{other} = "ok-value"\n{key} = {json.dumps(value)}\n'
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env={})
    message = caught.value.message
    assert f"{key} under [profiles.work] of {path}" in message
    assert kind in message
    assert_never_shows_the_secret(caught.value)


@pytest.mark.parametrize(("value", "kind"), BAD_TOKENS)
@pytest.mark.parametrize("variable", ["LIVEDESK_API_KEY", "LIVEDESK_API_SECRET"])
def test_a_credential_in_the_environment_with_a_control_or_space_is_refused(
    tmp_path: Path, variable: str, value: str, kind: str
) -> None:
    env = {**ENV_CREDS, variable: value}
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=tmp_path / "absent.toml", env=env)
    assert variable in caught.value.message and kind in caught.value.message
    assert_never_shows_the_secret(caught.value)


def test_a_chatwoot_token_with_a_line_break_is_refused(tmp_path: Path) -> None:
    env = {"LIVEDESK_API_KEY": FAKE_SECRET + "\r\n", "LIVEDESK_ACCOUNT_ID": "3"}
    with pytest.raises(ConfigError, match="LIVEDESK_API_KEY") as caught:
        load_settings(config_path=tmp_path / "absent.toml", dialect="chatwoot", env=env)
    assert_never_shows_the_secret(caught.value)


# --- the secret command's output ---------------------------------------------------------------


@pytest.mark.parametrize(
    "printed",
    [FAKE_SECRET, FAKE_SECRET + "\n", FAKE_SECRET + "\r\n", FAKE_SECRET + "\nnotes\x1b[1m\n"],
    ids=["no-newline", "LF", "CRLF", "notes-after"],
)
def test_the_secret_command_line_ending_is_not_part_of_the_secret(
    tmp_path: Path, printed: str
) -> None:
    path = command_config(tmp_path, f"import sys; sys.stdout.write({printed!r})")
    got = load_settings(config_path=path, profile="work", env={})
    assert got.connection.api_secret.reveal() == FAKE_SECRET


@pytest.mark.parametrize(
    ("printed", "kind"),
    [
        (FAKE_SECRET + "\r\r\n", "line break"),
        (TOKEN[:6] + "\r" + TOKEN[6:] + "\n", "line break"),
        (FAKE_SECRET + "\x0b\n", "line break"),
        (FAKE_SECRET + "\x1b[0m\n", "control character"),
        (FAKE_SECRET + "\x00", "control character"),
        (FAKE_SECRET + "\x85", "line break"),
        (" " + FAKE_SECRET + "\n", "space"),
        (FAKE_SECRET + " \n", "space"),
    ],
    ids=["CR-CRLF", "CR-inside", "VT", "ESC", "NUL", "NEL", "leading-space", "trailing-space"],
)
def test_the_secret_command_output_with_a_control_or_space_is_refused(
    tmp_path: Path, printed: str, kind: str
) -> None:
    path = command_config(tmp_path, f"import sys; sys.stdout.write({printed!r})")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env={})
    assert "api_secret_command under [profiles.work]" in caught.value.message
    assert kind in caught.value.message
    assert_never_shows_the_secret(caught.value)


def _gone(pid: int) -> bool:
    """True when ``pid`` has ended (a zombie nobody reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_secret_command_that_times_out_is_stopped_with_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secret_command, "SECRET_COMMAND_TIMEOUT", 1.5)  # time to start its child
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, time\n"
        "child = subprocess.Popen(['sleep', '100'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(100)\n"
    )
    path = command_config(tmp_path, code)
    with pytest.raises(ConfigError, match="did not finish"):
        load_settings(config_path=path, profile="work", env={})
    grandchild = int(pid_file.read_text())
    try:
        for _ in range(200):  # up to 10 s for the kernel to finish the killed process
            if _gone(grandchild):
                break
            time.sleep(0.05)
        assert _gone(grandchild), "the secret command's child outlived it"
    finally:
        if not _gone(grandchild):
            os.kill(grandchild, 9)


@pytest.mark.parametrize(
    "code",
    [
        f"import sys; sys.stdout.write({FAKE_SECRET!r} * 20000)",  # 340 KB, then exits 0
        f"import sys\nwhile True: sys.stdout.write({FAKE_SECRET!r} + '\\n')",  # never ends
    ],
    ids=["large", "endless"],
)
def test_a_secret_command_printing_too_much_is_stopped_and_refused(
    tmp_path: Path, code: str
) -> None:
    path = command_config(tmp_path, code)
    with pytest.raises(ConfigError, match="more than 64 KiB") as caught:
        load_settings(config_path=path, profile="work", env={})
    assert_never_shows_the_secret(caught.value)


@pytest.mark.skipif(not Path("/usr/bin/yes").exists(), reason="needs yes")
def test_yes_as_the_secret_command_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.work]\napi_key = "k"\napi_secret_command = "yes"\n')
    with pytest.raises(ConfigError, match="more than 64 KiB"):
        load_settings(config_path=path, profile="work", env={})


# --- the config file is a small regular file ---------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("loader", ["settings", "preferences"])
def test_a_config_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path, loader: str) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError) as caught:
        load(loader, fifo)
    assert caught.value.message.startswith(f"The config file {fifo} is a FIFO")
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/tty"])
@pytest.mark.parametrize("loader", ["settings", "preferences"])
def test_a_config_that_is_a_device_is_refused(device: str, loader: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    with pytest.raises(ConfigError) as caught:
        load(loader, Path(device))
    assert caught.value.message.startswith(f"The config file {device} is a device")


@pytest.mark.parametrize("loader", ["settings", "preferences"])
def test_a_config_over_1_mb_is_refused(tmp_path: Path, loader: str) -> None:
    path = write_config(tmp_path, "# " + "x" * (config_file.MAX_CONFIG_BYTES - 3) + "\n")
    assert path.stat().st_size == config_file.MAX_CONFIG_BYTES
    load(loader, path)  # exactly the limit is fine
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(ConfigError) as caught:
        load(loader, path)
    assert caught.value.message.startswith(f"The config file {path} is larger than 1 MB")


@pytest.mark.parametrize("loader", ["settings", "preferences"])
def test_a_config_that_is_a_directory_is_refused(tmp_path: Path, loader: str) -> None:
    with pytest.raises(ConfigError, match=f"The config file {tmp_path} is a directory"):
        load(loader, tmp_path)


def load(loader: str, path: Path) -> object:
    if loader == "settings":
        return load_settings(config_path=path, env=ENV_CREDS)
    return load_preferences(config_path=path, env={})


# --- a config file named but missing; problems load_preferences must not hide -----------------


@pytest.mark.parametrize("named_by", ["--config", "LIVEDESK_CONFIG"])
def test_preferences_say_a_named_config_file_does_not_exist(tmp_path: Path, named_by: str) -> None:
    path = tmp_path / "absent.toml"
    if named_by == "--config":
        got = load_preferences(config_path=path, env={})
    else:
        got = load_preferences(env={"LIVEDESK_CONFIG": str(path)})
    [warning] = got.warnings
    assert f"The config file {path} (from {named_by}) does not exist" in warning
    settings_got = load_settings(env={**ENV_CREDS, "LIVEDESK_CONFIG": str(path)})
    assert any("does not exist" in w for w in settings_got.warnings)


def test_preferences_of_a_missing_default_file_have_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "default_config_path", lambda: tmp_path / "nope" / "config.toml")
    assert load_preferences(env={}).warnings == ()


def test_preferences_report_what_the_file_gets_wrong_beside_theme_and_keys(
    tmp_path: Path,
) -> None:
    text = (
        'theme = "nord"\ndefault_profile = 3\ncolour = "red"\n[keys]\nnext_page = "right"\n'
        f'[profiles.work]\nbase_url = 5\napi_secret = "{FAKE_SECRET}\\n"\napi_secrett = "x"\n'
        '[profiles.ok]\nbase_url = "https://ok.example.com"\n'
    )
    got = load_preferences(config_path=write_config(tmp_path, text), env={})
    assert (got.theme, dict(got.keys), got.profiles) == (
        "nord",
        {"next_page": "right"},
        ("work", "ok"),
    )
    joined = "\n".join(got.warnings)
    for expected in (
        "default_profile",
        "'colour'",
        "base_url under [profiles.work]",
        "api_secret under [profiles.work]",
        "'api_secrett'",
    ):
        assert expected in joined
    assert "[profiles.ok]" not in joined
    assert FAKE_SECRET not in joined


def test_preferences_of_a_clean_file_have_no_warning(tmp_path: Path) -> None:
    got = load_preferences(config_path=write_config(tmp_path, TWO_PROFILES), env={})
    assert got.warnings == ()
    assert (got.theme, got.profiles) == ("nord", ("work", "jp"))


# --- company networks: a CA bundle and a proxy per profile -----------------------------------


def _network_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[profiles.work]\nbase_url = "https://api.example.com"\napi_key = "k"\n'
        'api_secret = "s"\n' + body,
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def test_ca_bundle_and_proxy_come_from_the_profile(tmp_path: Path) -> None:
    bundle = tmp_path / "company-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    path = _network_config(
        tmp_path, f'ca_bundle = "{bundle}"\nproxy = "http://agent:pw-7x@proxy.corp:3128"\n'
    )
    network = load_settings(config_path=path, profile="work", env={}).connection.network
    assert network.ca_bundle == bundle
    assert network.ca_bundle_origin == f"ca_bundle under [profiles.work] of {path}"
    assert network.proxy is not None
    assert network.proxy.reveal() == "http://agent:pw-7x@proxy.corp:3128"
    assert "pw-7x" not in repr(network)


def test_the_flag_beats_the_variable_beats_the_file(tmp_path: Path) -> None:
    file_bundle, env_bundle, flag_bundle = (tmp_path / f"{n}.pem" for n in ("f", "e", "x"))
    for bundle in (file_bundle, env_bundle, flag_bundle):
        bundle.write_text("", encoding="utf-8")
    path = _network_config(tmp_path, f'ca_bundle = "{file_bundle}"\nproxy = "http://file:1"\n')
    env = {"LIVEDESK_CA_BUNDLE": str(env_bundle), "LIVEDESK_PROXY": "http://env:2"}
    network = load_settings(config_path=path, profile="work", env=env).connection.network
    assert (network.ca_bundle, network.ca_bundle_origin) == (env_bundle, "LIVEDESK_CA_BUNDLE")
    assert network.proxy is not None and network.proxy.reveal() == "http://env:2"
    assert network.proxy_origin == "LIVEDESK_PROXY"
    network = load_settings(
        config_path=path, profile="work", env=env, ca_bundle=flag_bundle, proxy="none"
    ).connection.network
    assert (network.ca_bundle, network.ca_bundle_origin) == (flag_bundle, "--ca-bundle")
    assert network.proxy is not None and network.proxy.reveal() == "none"


def test_a_missing_ca_bundle_is_named_with_where_it_was_set(tmp_path: Path) -> None:
    path = _network_config(tmp_path, f'ca_bundle = "{tmp_path / "nowhere.pem"}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env={})
    assert "nowhere.pem (ca_bundle under [profiles.work]" in caught.value.message
    assert "does not exist" in caught.value.message


def test_a_bad_proxy_is_refused_naming_the_setting_not_its_password(tmp_path: Path) -> None:
    path = _network_config(tmp_path, 'proxy = "ftp://agent:pw-7x@proxy.corp:21"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="work", env={})
    assert "proxy under [profiles.work]" in caught.value.message
    assert "pw-7x" not in str(caught.value)
    warnings = load_preferences(config_path=path, env={}).warnings
    assert any("proxy under [profiles.work]" in warning for warning in warnings)
