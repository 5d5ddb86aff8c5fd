"""Data files shipped with the app: icons and TOML content (see the README)."""
