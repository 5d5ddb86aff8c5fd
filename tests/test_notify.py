"""Notification failures: real plyer, real (missing) D-Bus."""
import os
import subprocess
import sys

from posture_assistant.adapters.notify import Notifier


def test_a_failure_is_logged_once(tmp_path):
    # A fresh process: dbus-python keeps one shared session connection per
    # process, so another test's bus must not leak in.
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path}/no-bus"
    code = ("from posture_assistant.adapters.notify import Notifier; log = []; "
            "n = Notifier(True, log.append, 'prompts still show elsewhere'); shown = [n.show('t', 'm', 5) for _ in range(3)]; "
            "print(shown, n.failing); print(*log, sep='\\n')")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=30)
    lines = r.stdout.splitlines()
    assert lines[0] == "[False, False, False] True"
    assert len(lines) == 2 and "notifications are not working" in lines[1]


def test_recovery_is_logged_once(monkeypatch):
    import plyer

    log: list[str] = []
    notifier = Notifier(True, log.append, 'prompts still show elsewhere')
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: 1 / 0)
    assert notifier.show("t", "m", 5) is False and notifier.failing
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: None)
    assert notifier.show("t", "m", 5) is True and notifier.show("t", "m", 5) is True
    assert log[1:] == ["notifications work again"] and not notifier.failing


def test_turned_off_means_nothing_is_sent(monkeypatch):
    import plyer

    calls = []
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: calls.append(kw))
    assert Notifier(False, print, "").show("t", "m", 5) is False
    assert calls == []
