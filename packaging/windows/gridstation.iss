; Inno Setup script (UTF-8 with BOM, as Inno Setup 6 wants for Chinese text) for the desk on Windows: a per-user install of the PyInstaller bundle (dist\GridStation\), in
; Chinese, with a start-menu entry. NOT built or tested by CI (docs/packaging.md says how to build it by hand):
;
;   .venv\Scripts\pyinstaller --noconfirm installer.spec          (on Windows: dist\GridStation\)
;   dist\GridStation\gridstation-cli.exe print guide -o dist\GridStation\上手指南.pdf
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\gridstation.iss
;
; The installer needs no administrator (PrivilegesRequired=lowest): the program goes to
; %LOCALAPPDATA%\Programs\GridStation. The station's data lives elsewhere — %LOCALAPPDATA%\GridStation\GridStation,
; platformdirs' folder for each Windows user — and the uninstaller leaves it alone: it holds the station's cases.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "GridStation"
#define AppChineseName "民情快办工作站"
#define Bundle "..\..\dist\GridStation"

[Setup]
; A fixed id: a newer version installs over the old one.
AppId={{6F4B7A52-3C1E-4D2B-9A61-0E5F2C8D4B19}
AppName={#AppName} {#AppChineseName}
AppVersion={#AppVersion}
AppPublisher=GridStation
DefaultDirName={autopf}\GridStation
DefaultGroupName={#AppChineseName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; x64compatible needs Inno Setup 6.3 or newer.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=gridstation_{#AppVersion}_setup
SetupIconFile=..\..\resources\icons\gridstation.ico
UninstallDisplayIcon={app}\GridStation.exe
UninstallDisplayName={#AppChineseName}（GridStation）
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
DisableProgramGroupPage=yes

[Languages]
; ChineseSimplified.isl ships with Inno Setup 6.1+ (in Languages\, or Languages\Unofficial\ in older releases).
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面上创建快捷方式"; GroupDescription: "附加快捷方式："

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppChineseName}"; Filename: "{app}\GridStation.exe"; Comment: "登记、分办和跟踪居民诉求"
Name: "{group}\上手指南"; Filename: "{app}\上手指南.pdf"; Check: GuideExists
Name: "{group}\卸载 {#AppChineseName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppChineseName}"; Filename: "{app}\GridStation.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\GridStation.exe"; Description: "启动{#AppChineseName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself left in its own folder; never %LOCALAPPDATA%\GridStation (the station's data).
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
function GuideExists: Boolean;
begin
  Result := FileExists(ExpandConstant('{app}\上手指南.pdf'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    MsgBox('程序已卸载。工作站数据仍保存在 ' + ExpandConstant('{localappdata}') + '\GridStation\GridStation，' +
      '如需在其他电脑恢复，请先用“文件 → 备份数据”做好加密备份。', mbInformation, MB_OK);
end;
