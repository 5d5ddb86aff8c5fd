"""Notification failures: real plyer, real (missing) D-Bus."""
from posture_assistant.notify import Notifier


def test_a_failure_is_logged_once_and_recovery_once(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    monkeypatch.delenv("DISPLAY", raising=False)
    log: list[str] = []
    notifier = Notifier(True, log.append)
    assert notifier.show("t", "m", 5) is False
    assert notifier.show("t", "m", 5) is False
    assert len(log) == 1 and "notifications are not working" in log[0]
    assert notifier.failing

    import plyer

    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: None)
    assert notifier.show("t", "m", 5) is True
    assert log[-1] == "notifications work again" and not notifier.failing


def test_turned_off_means_nothing_is_sent(monkeypatch):
    import plyer

    calls = []
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: calls.append(kw))
    assert Notifier(False, print).show("t", "m", 5) is False
    assert calls == []
