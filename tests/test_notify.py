"""The Notifier on the plyer path (Windows, macOS, Linux without jeepney):
real plyer, failures said once; and which path each platform takes. The
D-Bus path is tested in test_notify_freedesktop.py."""
import os
import subprocess
import sys

import pytest

from posture_assistant.adapters import notify
from posture_assistant.adapters.notify import Notifier

# Python without dbus-python and without notify-send on PATH: plyer's Linux
# backend then has nothing it can use, and says so by raising.
NOTHING_TO_USE = '''
import importlib.abc, sys

class NoDbus(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "dbus":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoDbus())
'''


@pytest.fixture
def plyer_path(monkeypatch):
    """The Notifier takes plyer's path, as on Windows and macOS; what plyer
    was asked to show lands in the returned list."""
    import plyer

    monkeypatch.setattr(notify, "_backend_name", lambda: "_plyer")
    sent: list[dict] = []
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: sent.append(kw))
    return sent


@pytest.mark.skipif(sys.platform != "linux", reason="plyer's Linux backend, for real")
def test_plyer_with_nothing_to_use_is_said_once(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(NOTHING_TO_USE)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), *sys.path]),
               PATH=str(tmp_path))
    code = ("from posture_assistant.adapters import notify; log = []\n"
            "notify._backend_name = lambda: '_plyer'\n"
            "n = notify.Notifier(True, log.append, 'prompts still show elsewhere')\n"
            "shown = [n.show('t', 'm', 5) for _ in range(3)]\n"
            "print(shown, n.failing); print(*log, sep='\\n')")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=30)
    assert r.stdout.splitlines() == [
        "[False, False, False] True",
        "notifications are not working (no notification backend for this system); "
        "prompts still show elsewhere"], r.stderr


def test_plyer_gets_the_words_the_icon_and_whole_seconds(plyer_path):
    notifier = Notifier(True, print, "")
    actions = (("done", "Done"),)
    assert notifier.show("Time to stand up", "Stretch", 599.6, slot="prompt", actions=actions)
    notifier.withdraw("prompt")  # plyer has no id to close: nothing happens
    (sent,) = plyer_path
    assert sent["title"] == "Time to stand up" and sent["message"] == "Stretch"
    assert sent["timeout"] == 600 and sent["app_name"] == "Posture Assistant"
    assert os.path.isfile(sent["app_icon"])


def test_recovery_is_logged_once(plyer_path, monkeypatch):
    import plyer

    log: list[str] = []
    notifier = Notifier(True, log.append, 'prompts still show elsewhere')
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: 1 / 0)
    assert notifier.show("t", "m", 5) is False and notifier.failing
    assert log == ["notifications are not working (ZeroDivisionError: division by zero); "
                   "prompts still show elsewhere"]
    monkeypatch.setattr(plyer.notification, "notify", lambda **kw: None)
    assert notifier.show("t", "m", 5) is True and notifier.show("t", "m", 5) is True
    assert log[1:] == ["notifications work again"] and not notifier.failing


def test_turned_off_means_nothing_is_sent(plyer_path):
    assert Notifier(False, print, "").show("t", "m", 5) is False
    assert plyer_path == []


@pytest.mark.parametrize("platform, jeepney, backend", [
    ("linux", True, "_freedesktop"),
    ("freebsd14", True, "_freedesktop"),
    ("linux", False, "_plyer"),  # no buttons, but a notification
    ("win32", True, "_plyer"),
    ("darwin", True, "_plyer"),
])
def test_each_platform_takes_its_path(monkeypatch, platform, jeepney, backend):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real(name, *a) if jeepney or name != "jeepney"
                                          else None))
    assert notify._backend_name() == backend


@pytest.mark.parametrize("error, words", [
    (notify.Unusable("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"),
     "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"),
    (TimeoutError("org.freedesktop.Notifications did not answer within 3 s"),
     "org.freedesktop.Notifications did not answer within 3 s"),
    # dbus-python's words, as plyer passes them on
    (Exception("org.freedesktop.DBus.Error.ServiceUnknown: The name "
               "org.freedesktop.Notifications was not provided by any .service files"),
     "no notification server is running"),
    (NotImplementedError("No usable implementation found!"),
     "no notification backend for this system"),
])
def test_each_failure_in_words(error, words):
    assert notify._reason(error) == words
