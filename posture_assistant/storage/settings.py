"""Typed settings: defaults < config.toml < POSTURE_* environment variables.

A wrong value is the user's mistake, so it comes back as one line that names
the setting, where the value came from, what was given and what is allowed.
"""
from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings, InitSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict,
)

from posture_assistant import APP_ID
from posture_assistant.storage.durations import WEEK, YEAR, format_duration, parse_duration
from posture_assistant.storage.hours import WorkingHours, parse_working_hours
from posture_assistant.files import read_toml
from posture_assistant.i18n import N_, _, clip

ENV_PREFIX = "POSTURE_"
CONFIG_ENV = "POSTURE_CONFIG_FILE"
MAX_SNOOZE_OPTIONS = 4
# Linux's PATH_MAX; a longer data_dir cannot be opened anyway.
MAX_PATH = 4096


class SettingsError(Exception):
    """str(e) is one line for the user."""


def _duration(value: Any, maximum: float = WEEK) -> float:
    seconds = parse_duration(value, maximum)
    if seconds < 1:
        raise ValueError(_("must be at least 1 second"))
    return seconds


def _duration_list(value: Any) -> Any:
    if isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    if isinstance(value, (list, tuple)):
        # Counted as given, before any is parsed: 26 copies of one value are
        # as wrong as 26 values, and a list of thousands costs nothing.
        if not value or len(value) > MAX_SNOOZE_OPTIONS:
            raise ValueError(_snooze_count_rule())
        return [_duration(v) for v in value]
    return value


def _snooze_count_rule() -> str:
    return _("must list 1 to {MAX_SNOOZE_OPTIONS} durations, e.g. 5m,15m").format(
        MAX_SNOOZE_OPTIONS=MAX_SNOOZE_OPTIONS)


Duration = Annotated[float, BeforeValidator(_duration)]  # up to a week
LongDuration = Annotated[float, BeforeValidator(lambda value: _duration(value, YEAR))]

# The config file's data of the load in progress; read by
# settings_customise_sources, which pydantic-settings calls as a classmethod
# with no way to pass it in. The data, not the path: the file is read once,
# with our bounds, not again by pydantic-settings without them.
_file_data: ContextVar[dict[str, Any] | None] = ContextVar("file_data", default=None)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False,
                                      extra="ignore", validate_default=True,
                                      arbitrary_types_allowed=True)

    break_interval: Duration = Field(3600.0, description=N_("Time between prompts."))
    break_duration: Duration = Field(180.0, description=N_("How long a suggested break lasts."))
    snooze_options: Annotated[list[float], NoDecode, BeforeValidator(_duration_list)] = Field(
        default_factory=lambda: [300.0, 900.0],
        description=N_("Snooze lengths offered for a prompt, comma-separated."))
    max_snoozes: int = Field(
        3, description=N_("Snoozes allowed per prompt; then only Done and Skip."))
    reminder_interval: Duration = Field(600.0,
                                        description=N_("How often an ignored prompt is repeated."))
    notifications: bool = Field(True, description=N_("Show desktop notifications."))
    # absolute(): an XDG_DATA_HOME that is not (which the XDG spec says to
    # ignore) must not make the default itself a wrong value.
    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path(APP_ID).absolute(),
                           description=N_("Where the break database lives."))
    max_deferral: Duration = Field(
        1800.0, description=N_("How long a fullscreen window may hold a prompt back."))
    working_hours: Annotated[WorkingHours | None, NoDecode,
                             BeforeValidator(parse_working_hours)] = Field(
        None, description=N_("When prompts may come, per weekday; empty means always."))
    checklist_reminder: LongDuration = Field(
        30 * 86400.0, description=N_("How long after a workspace check to suggest the next one."))
    tray_backend: Literal["auto", "sni", "xorg", "gtk", "appindicator", "none"] = Field(
        "auto", description=N_("Tray icon backend (see Linux trays in the README)."))

    @field_validator("snooze_options")
    @classmethod
    def _snoozes(cls, value: list[float]) -> list[float]:
        if not value or len(value) > MAX_SNOOZE_OPTIONS:
            raise ValueError(_snooze_count_rule())
        return sorted(set(value))

    @field_validator("notifications", mode="before")
    @classmethod
    def _notifications(cls, value: Any) -> Any:
        # pydantic would take 1, 0 and 1.0 too; in a TOML file that is a
        # typo for true or false more likely than a choice.
        if not isinstance(value, (bool, str)):
            raise ValueError(_("must be true or false"))
        return value

    @field_validator("max_snoozes", mode="before")
    @classmethod
    def _max_snoozes(cls, value: Any) -> int:
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else -1
        except ValueError:
            number = -1
        if not 0 <= number <= 20:
            raise ValueError(_("must be a whole number from 0 to 20"))
        return number

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: Any) -> Path:
        if isinstance(value, PurePath):
            value = str(value)
        # str() of true, -1 or [] is a name too, and made folders called
        # "True" wherever the app was started.
        if not isinstance(value, str):
            raise ValueError(_('must be a directory path in quotes, e.g. "~/breaks"'))
        if not value.strip():
            raise ValueError(_("must be a directory path"))
        if "\0" in value:
            raise ValueError(_("must not contain a NUL character"))
        try:
            # SQLite and the control channel take the path as UTF-8 text; a
            # name that is not (its bytes kept as surrogates) failed there.
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(_("is not UTF-8 text; choose a folder whose name is")) from None
        if len(value) > MAX_PATH:
            raise ValueError(_("must be at most {limit} characters long").format(limit=MAX_PATH))
        try:
            path = Path(value).expanduser()
        except RuntimeError:  # ~ or ~user with no home folder to be found
            raise ValueError(_("starts with ~, but that home folder is unknown; "
                               "write the whole path")) from None
        # The app started at login and a command typed in a terminal run in
        # different folders: a relative path would give them different data.
        if not path.is_absolute():
            raise ValueError(_("must be an absolute path, e.g. ~/breaks"))
        return path

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        data = _file_data.get()
        if data:
            sources.append(InitSettingsSource(settings_cls, init_kwargs=data))
        return tuple(sources)


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    config_file: Path
    config_file_exists: bool
    sources: dict[str, str]  # name -> "default" | "env POSTURE_X" | "file PATH (key)"


def default_config_file() -> Path:
    return platformdirs.user_config_path(APP_ID) / "config.toml"


def load_settings(config_file: Path | None = None) -> LoadedSettings:
    """Settings from the environment and the config file; SettingsError if wrong."""
    named_by = "--config" if config_file else CONFIG_ENV if os.environ.get(CONFIG_ENV) else None
    path = Path(config_file or os.environ.get(CONFIG_ENV) or default_config_file()).expanduser()
    data = _read_toml(path, named_by)
    env = _our_env()
    sources = {}
    for name in Settings.model_fields:
        if name in env:
            sources[name] = f"env {env[name][0]}"
        elif name in data:
            sources[name] = f"file {path} ({name})"
        else:
            sources[name] = "default"
    token = _file_data.set(data)
    try:
        settings = Settings()
    except ValidationError as e:
        raise SettingsError(_explain(e, env, data, path)) from None
    finally:
        _file_data.reset(token)
    return LoadedSettings(settings, path, path.is_file(), sources)


def _read_toml(path: Path, named_by: str | None) -> dict[str, Any]:
    if not _exists(path):
        if named_by:
            raise SettingsError(_("config file {path} does not exist (named by {named_by})").format(
                path=clip(path), named_by=named_by))
        return {}
    try:
        data = read_toml(path)
    except ValueError as e:
        raise SettingsError(_("cannot read config file {path}: {e}").format(
            path=clip(path), e=clip(e, 100))) from None
    for key in data:
        if key not in Settings.model_fields:
            raise SettingsError(_unknown(key, path))
    return data


def _exists(path: Path) -> bool:
    """False only if nothing is there; for any other trouble (no
    permission, a NUL in the name) True, and read_toml says what it is."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return True


def _unknown(key: str, path: Path) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(Settings.model_fields), n=1)
    hint = (_("did you mean {name}?").format(name=close[0]) if close
            else _("`posture-assistant config` lists the settings"))
    return _("unknown setting {key} in {path}; {hint}").format(
        key=clip(repr(key), 40), path=clip(path), hint=hint)


def _our_env() -> dict[str, tuple[str, str]]:
    """Setting name -> (env var as spelled, raw value), for POSTURE_* settings."""
    found = {}
    for var, value in os.environ.items():
        name = var.lower()[len(ENV_PREFIX):] if var.upper().startswith(ENV_PREFIX) else None
        if name in Settings.model_fields:
            found[name] = (var, value)
    return found


def _explain(error: ValidationError, env: dict, data: dict, path: Path) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "?"
    if name in env:
        var, given = env[name]
        where = f"env {var}"
    elif name in data:
        given = data[name]
        where = clip(path)
    else:
        given, where = first.get("input"), _("the default")
    message = first["msg"].removeprefix("Value error, ")  # not for users
    if first["type"] == "literal_error":
        allowed = Settings.model_fields[name].annotation.__args__
        message = _("must be one of {values}").format(values=", ".join(allowed))
    elif first["type"] in ("bool_parsing", "bool_type"):
        message = _("must be true or false")
    return _("invalid setting {name} = {shown} (from {where}): {message}").format(
        name=name, shown=clip(_repr(given), 40), where=where, message=clip(message, 100))


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except ValueError:  # an int of more digits than Python will print
        return f"<{type(value).__name__}>"  # not for users


def show_value(value: Any) -> str:
    if value is None:
        return "always"
    if isinstance(value, float):
        return format_duration(value)
    if isinstance(value, list):
        return ",".join(show_value(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def describe(loaded: LoadedSettings) -> list[tuple[str, str, str]]:
    """(name, value, source) rows for `posture-assistant config`."""
    return [(name, show_value(getattr(loaded.settings, name)), loaded.sources[name])
            for name in Settings.model_fields]
