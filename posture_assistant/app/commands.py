"""The pause choices offered by the tray menu and the panel alike:
(label, arguments of the app's `pause` command)."""

PAUSES = (("30 minutes", {"seconds": 1800}), ("1 hour", {"seconds": 3600}),
          ("2 hours", {"seconds": 7200}), ("Until tomorrow", {"tomorrow": True}),
          ("Until I resume", {}))
