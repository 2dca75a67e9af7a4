"""データベースを切り替える: server, port, database, login and password asked in Japanese, the
connection tested, the password kept in the credential store and shown nowhere."""
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QMessageBox


def _settings_text() -> str:
    s = QSettings("branch-report", "branch-report")
    return " ".join(f"{k}={s.value(k)}" for k in s.allKeys())


def _shown(window) -> str:
    boxes = " ".join(b.text() for b in window.findChildren(QMessageBox))
    return " ".join((window.windowTitle(), window.statusBar().currentMessage(), boxes,
                     getattr(window, "last_message", "")))


def _fill(dialog, url, password):
    dialog.server_choice.setChecked(True)
    dialog.host.setText(url.host)
    dialog.port.setValue(url.port)
    dialog.database.setText(url.database)
    dialog.login.setText(url.username)
    dialog.password.setText(password)


def test_the_dialog_asks_as_an_office_program_does(window, qtbot):
    dialog = window.switch_database()
    qtbot.addWidget(dialog)
    form = dialog.server_form.layout()
    labels = [form.itemAt(r, QFormLayout.LabelRole).widget().text() for r in range(form.rowCount() - 2)]
    assert labels == ["サーバー名", "ポート番号", "データベース名", "ログイン名", "パスワード"]
    # the test's answer has a row of its own, the whole width: a long message wraps, never cut
    assert form.itemAt(form.rowCount() - 1, QFormLayout.SpanningRole).widget() is dialog.result
    assert dialog.port.value() == 5432 and dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert dialog.test_button.text() == "接続テスト" and dialog.open_button.text() == "開く"
    dialog.server_choice.setChecked(True)
    dialog.open_button.click()
    assert dialog.isVisible() and dialog.result.text() == "サーバー名を入力してください"
    assert not [w.text() for w in dialog.findChildren(QLabel) if "postgresql" in w.text()]   # no driver URL


def test_a_failed_connection_is_said_in_japanese_without_the_password(window, qtbot, demo_db):
    from sqlalchemy.engine import make_url

    dialog = window.switch_database()
    qtbot.addWidget(dialog)
    _fill(dialog, make_url("postgresql+psycopg://gyomu@127.0.0.1:1/gunma"), "Zq-very-secret")
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled() and "接続しています" not in dialog.result.text(), timeout=20000)
    assert "サーバーに接続できません" in dialog.result.text() and "Zq-very-secret" not in dialog.result.text()
    dialog.open_button.click()
    assert window.db is demo_db                                         # still on the database it had
    assert "サーバーに接続できません" in window.last_message
    assert "Zq-very-secret" not in _shown(window) + _settings_text()


def test_connecting_to_the_server_keeps_the_password_in_the_credential_store_only(window, qtbot, server_team,
                                                                                credential_store):
    server_team.add("gyomu", "業務")
    url = server_team.url("gyomu")
    dialog = window.switch_database()
    qtbot.addWidget(dialog)
    _fill(dialog, url, url.password)
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.result.text().startswith("接続できました"), timeout=20000)
    assert dialog.result.text() == f"接続できました（ログイン {url.username}）"
    dialog.open_button.click()
    assert not window.db.is_sqlite and window.db.user == url.username
    assert list(credential_store.kept.values()) == [url.password]
    remembered = QSettings("branch-report", "branch-report").value("database/target")
    assert remembered == f"postgresql+psycopg://{url.username}@{url.host}:{url.port}/{url.database}"
    assert url.password not in _shown(window) + _settings_text()
    assert not window.restore_action.isEnabled()                       # a shared server is restored on the server
    again = window.switch_database()                                   # filled in from what was remembered
    qtbot.addWidget(again)
    assert (again.host.text(), again.login.text(), again.password.text()) == (url.host, url.username, url.password)
    window.db.engine.dispose()


def test_a_wrong_password_is_said_without_it(window, qtbot, server_team):
    import psycopg

    server_team.add("gyomu", "業務")
    url = server_team.url("gyomu")
    try:
        psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=url.username, password="wrong").close()
        pytest.skip("this server does not check passwords (trust)")
    except psycopg.OperationalError:
        pass
    dialog = window.switch_database()
    qtbot.addWidget(dialog)
    _fill(dialog, url, "Zq-wrong-password")
    dialog.open_button.click()
    assert "ログイン名またはパスワードが違います" in window.last_message
    assert "Zq-wrong-password" not in _shown(window) + _settings_text()
