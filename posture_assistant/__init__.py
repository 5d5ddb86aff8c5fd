"""Posture Assistant: hourly stand-and-stretch prompts from the system tray."""

__version__ = "0.1.0"
APP_NAME = "Posture Assistant"  # not for users: a name, the same in every language
APP_ID = "posture-assistant"
