"""Which language model selfdex may call: configured by the person, never guessed.

Configuration lives in ``<user config dir>/selfdex/models.json`` (``SELFDEX_CONFIG_DIR`` overrides the
folder). An API key is referenced by the name of an environment variable, or stored in ``keys.json``
next to it with 0600 permissions; keys are never printed, logged or written into ``models.json``.

Resolution (first match wins): the ``--model`` option, ``SELFDEX_MODEL``, the configured default, the
embedded model if it is installed, otherwise no model (the deterministic paths only). The only network
endpoints ever called are the base URLs the person configured.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..settings import ENV, settings

__all__ = [
    "EMBEDDED_NAMES",
    "NO_MODEL",
    "ConfigError",
    "ModelConfig",
    "ModelSpec",
    "config_dir",
    "resolve_model",
]

NO_MODEL = "none"
# Built-in names: "embedded" is the best installed embedded model (1.5B if present, else 0.5B).
EMBEDDED_NAMES = ("embedded", "embedded-1.5b", "embedded-0.5b")
# How a server wants JSON-schema-constrained output (runtimes.md: llama_cpp.server rejects the OpenAI form).
Structured = Literal["json_schema", "json_object_schema", "json_object"]
STRUCTURED_MODES: tuple[str, ...] = ("json_schema", "json_object_schema", "json_object")


class ConfigError(Exception):
    """A configuration problem the person can fix; the message never contains a key."""


def config_dir() -> Path:
    override = settings().config_dir
    if override is not None:
        return override
    from platformdirs import user_config_dir

    return Path(user_config_dir("selfdex"))


@dataclass
class ModelSpec:
    """One OpenAI-compatible endpoint the person configured (or an embedded model)."""

    name: str
    backend: Literal["openai", "embedded"] = "openai"
    base_url: str | None = None
    model: str = ""
    api_key_env: str | None = None
    structured: Structured = "json_schema"
    tools: bool = False  # the server parses tool calls reliably (small local models often do not)
    timeout_s: float = 120.0
    # How many retrieved records go into one prompt: small local models answer better (and sooner) with fewer.
    max_records: int = 24
    # Not serialised into models.json; filled from keys.json or the environment at use time.
    api_key: str | None = field(default=None, repr=False, compare=False)

    def public(self, *, stored_key: bool = False) -> dict[str, Any]:
        """What may be shown: everything but the key, plus where the key comes from."""
        d = {k: v for k, v in asdict(self).items() if k != "api_key"}
        stored = stored_key or self.api_key is not None
        d["key"] = f"env:{self.api_key_env}" if self.api_key_env else ("stored" if stored else None)
        return d


@dataclass
class ModelConfig:
    default: str | None = None
    models: dict[str, ModelSpec] = field(default_factory=dict)
    directory: Path = field(default_factory=config_dir)

    @property
    def path(self) -> Path:
        return self.directory / "models.json"

    @property
    def keys_path(self) -> Path:
        return self.directory / "keys.json"

    @classmethod
    def load(cls, directory: Path | None = None) -> ModelConfig:
        directory = directory or config_dir()
        cfg = cls(directory=directory)
        if cfg.path.exists():
            try:
                data = json.loads(cfg.path.read_text(encoding="utf-8"))
                cfg.default = data.get("default")
                for name, raw in (data.get("models") or {}).items():
                    raw = {
                        k: v for k, v in raw.items() if k in ModelSpec.__dataclass_fields__ and k != "api_key"
                    }
                    raw["name"] = name
                    cfg.models[name] = ModelSpec(**raw)
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{cfg.path} is not a valid selfdex model configuration: {exc}") from exc
        return cfg

    def save(self) -> None:
        data = {
            "default": self.default,
            "models": {
                n: {k: v for k, v in asdict(s).items() if k not in ("api_key", "name")}
                for n, s in sorted(self.models.items())
            },
        }
        from ..store.private import write_private

        write_private(self.path, (json.dumps(data, indent=2) + "\n").encode())  # 0600, like every secret

    # -- keys -----------------------------------------------------------------------------------
    def _keys(self) -> dict[str, str]:
        if not self.keys_path.exists():
            return {}
        return dict(json.loads(self.keys_path.read_text(encoding="utf-8")))

    def store_key(self, name: str, key: str) -> None:
        keys = self._keys()
        keys[name] = key
        self._write_keys(keys)

    def drop_key(self, name: str) -> None:
        keys = self._keys()
        if keys.pop(name, None) is not None:
            self._write_keys(keys)

    def has_stored_key(self, name: str) -> bool:
        return name in self._keys()

    def _write_keys(self, keys: dict[str, str]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.keys_path.with_suffix(".tmp")
        # Created 0600 from the start: the key is never readable by others, not even briefly.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(keys, fh)
        os.chmod(tmp, 0o600)
        tmp.replace(self.keys_path)

    def with_key(self, spec: ModelSpec) -> ModelSpec:
        """The spec with its key filled in (environment variable first, then keys.json)."""
        key = os.environ.get(spec.api_key_env) if spec.api_key_env else None
        if key is None:
            key = self._keys().get(spec.name)
        if spec.api_key_env and key is None:
            raise ConfigError(f"model {spec.name!r} reads its key from ${spec.api_key_env}, which is not set")
        return ModelSpec(**{**asdict(spec), "api_key": key})


def _env_spec() -> ModelSpec | None:
    """An endpoint given wholly in the environment (handy for CI and containers)."""
    env = settings()
    if not env.model_base_url:
        return None
    if env.model_structured not in STRUCTURED_MODES:
        raise ConfigError(f"{ENV['model_structured']} must be one of {', '.join(STRUCTURED_MODES)}")
    return ModelSpec(
        name="env",
        base_url=env.model_base_url,
        model=env.model_id,
        api_key_env=ENV["model_api_key"] if env.model_api_key else None,
        structured=env.model_structured,  # type: ignore[arg-type]
        tools=env.model_tools,
    )


def resolve_model(requested: str | None = None, config: ModelConfig | None = None) -> ModelSpec | None:
    """The model to use, or None for the deterministic paths. Never probes the network."""
    from .embedded import installed_embedded

    config = config or ModelConfig.load()
    env = _env_spec()
    name = requested or settings().model or config.default
    if name is None and env is not None:
        name = "env"
    if name == NO_MODEL:
        return None
    if name is None:
        best = installed_embedded()
        return ModelSpec(name=best.name, backend="embedded", model=best.name) if best else None
    if name in EMBEDDED_NAMES:
        best = installed_embedded(None if name == "embedded" else name)
        if best is None:
            raise ConfigError(
                f"{name} is not installed: pip install 'selfdex[llm]' (see `selfdex models list`)"
            )
        return ModelSpec(name=best.name, backend="embedded", model=best.name)
    if name == "env" and env is not None:
        return config.with_key(env)
    if name not in config.models:
        known = ", ".join([*sorted(config.models), *EMBEDDED_NAMES, NO_MODEL])
        raise ConfigError(f"no model named {name!r} (known: {known}); add one with `selfdex models add`")
    return config.with_key(config.models[name])
