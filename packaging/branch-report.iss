; Inno Setup recipe: an installer of the Windows bundle (build it first: python packaging\build.py).
;   iscc packaging\branch-report.iss      ->  dist\branch-report-setup.exe
; Installs for the user alone (no administrator rights) under %LOCALAPPDATA%\Programs, with a
; Start-menu entry; the user's data (the database, its backups) stays in the user's data folder
; and is kept when the program is removed.
#define AppName "事業計画・実施状況 (branch-report)"
#define AppVersion "0.1.0"

[Setup]
AppId={{5B3C7E0A-6A53-4C2B-9F4B-2F4A3E0B7C11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=branch-report
DefaultDirName={localappdata}\Programs\branch-report
DefaultGroupName=事業計画・実施状況
PrivilegesRequired=lowest
OutputDir=..\dist
OutputBaseFilename=branch-report-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\branch-report.exe

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Files]
Source: "..\dist\branch-report\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\事業計画・実施状況"; Filename: "{app}\branch-report.exe"
Name: "{group}\事業計画・実施状況（サンプルデータ）"; Filename: "{app}\branch-report.exe"; Parameters: "--demo"
Name: "{userdesktop}\事業計画・実施状況"; Filename: "{app}\branch-report.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "デスクトップにアイコンを作る"; Flags: unchecked

[Run]
Filename: "{app}\branch-report.exe"; Description: "事業計画・実施状況を起動する"; Flags: nowait postinstall skipifsilent
