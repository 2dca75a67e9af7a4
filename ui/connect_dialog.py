"""データベースを切り替える: this PC's file, or a shared server asked for as an office program asks
— サーバー名, ポート, データベース名, ログイン名, パスワード — with 接続テスト. The password is kept in the
operating system's credential store once the database opens (app.store.connection), never in settings."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget,
)

from app.store.connection import DEFAULT_PORT, Server, saved_password, server_of


class ConnectDialog(QDialog):
    def __init__(self, current: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle("データベースを切り替える")
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        self.file_choice = QRadioButton("この PC のファイル（ひとりで使う）")
        self.server_choice = QRadioButton("共有サーバー（グループで使う）")
        choice = QButtonGroup(self)
        for button in (self.file_choice, self.server_choice):
            choice.addButton(button)
        lay.addWidget(self.file_choice)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(20, 0, 0, 0)
        self.path = QLineEdit()
        self.path.setPlaceholderText("例: C:\\Users\\...\\branch-report.sqlite3")
        browse = QPushButton("参照…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        lay.addWidget(file_row)
        lay.addWidget(self.server_choice)
        self.server_form = QWidget()
        form = QFormLayout(self.server_form)
        form.setContentsMargins(20, 0, 0, 0)
        self.host, self.database, self.login, self.password = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.password.setEchoMode(QLineEdit.Password)
        self.host.setPlaceholderText("例: db-server または 192.168.1.20")
        self.database.setPlaceholderText("例: gunma")
        for label, widget in (("サーバー名", self.host), ("ポート番号", self.port), ("データベース名", self.database),
                              ("ログイン名", self.login), ("パスワード", self.password)):
            form.addRow(label, widget)
        self.test_button = QPushButton("接続テスト")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel("")             # a whole row of its own: a long answer wraps, never cut
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result.setMinimumHeight(3 * self.result.fontMetrics().lineSpacing())
        form.addRow(self.test_button)
        form.addRow(self.result)
        lay.addWidget(self.server_form)
        lay.addWidget(QLabel("パスワードは OS の資格情報（キーチェーン・資格情報マネージャー）に保存します。"))
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.open_button = buttons.addButton("開く", QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.file_choice.toggled.connect(self._enable)
        self._fill(current)

    def _fill(self, current: str) -> None:
        server = server_of(current) if current else None
        if server is None:
            self.file_choice.setChecked(True)
            self.path.setText(str(current or ""))
        else:
            self.server_choice.setChecked(True)
            self.host.setText(server.host)
            self.port.setValue(server.port)
            self.database.setText(server.database)
            self.login.setText(server.login)
            self.password.setText(saved_password(server) or "")
        self._enable()

    def _enable(self, *_args) -> None:
        on_file = self.file_choice.isChecked()
        self.path.parentWidget().setEnabled(on_file)
        self.server_form.setEnabled(not on_file)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "データベースのファイル", self.path.text(),
                                              "データベース (*.sqlite3 *.db)", options=QFileDialog.DontConfirmOverwrite)
        if path:
            self.path.setText(path)

    def server(self) -> Server | None:
        if self.file_choice.isChecked():
            return None
        return Server(self.host.text().strip(), self.port.value(), self.database.text().strip(), self.login.text().strip())

    def target(self) -> str:
        """What to open and remember: a file path, or the server's URL without the password."""
        server = self.server()
        return self.path.text().strip() if server is None else server.url()

    def missing(self) -> str | None:
        server = self.server()
        if server is None:
            return None if self.path.text().strip() else "ファイルを指定してください"
        for value, name in ((server.host, "サーバー名"), (server.database, "データベース名"), (server.login, "ログイン名")):
            if not value:
                return f"{name}を入力してください"
        return None

    def test_connection(self) -> None:
        """Try the server off the GUI thread; the answer, in Japanese, beside the button."""
        from app.store.database import test_connection
        from app.store.failures import describe_failure
        from ui.tasks import run_in_background

        if (problem := self.missing()) or self.server() is None:
            self.result.setText(problem or "")
            return
        server, password = self.server(), self.password.text()
        self.result.setText("接続しています…")
        self.test_button.setEnabled(False)

        def done(login):
            self.test_button.setEnabled(True)
            self.result.setText(f"接続できました（ログイン {login}）")

        def failed(exc):
            self.test_button.setEnabled(True)
            self.result.setText(describe_failure(exc))

        self.task = run_in_background(lambda _state: test_connection(server, password), done=done, failed=failed)

    def accept(self) -> None:
        if problem := self.missing():
            self.result.setText(problem)
            return
        super().accept()
