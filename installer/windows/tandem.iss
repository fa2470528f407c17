; Inno Setup 6.3+ script for Tandem on Windows (x64). Written against the Inno Setup 6 help
; (jrsoftware.org/ishelp); it cannot be compiled on the Linux build machine, see installer/README.md.
;
; Build on Windows, from the repository root, after `py -3.11 dev.py bundle` made dist\Tandem:
;
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\windows\tandem.iss
;
; Output: dist\Tandem-0.1.0-windows-x64-setup.exe. Optional: /DSignTool=tandemsign signs the setup
; and the uninstaller with a sign tool named "tandemsign" configured in the Inno Setup IDE
; (Tools > Configure Sign Tools), e.g. signtool.exe sign /fd sha256 /tr <timestamp-url> /td sha256 $f
;
; What it promises, and how:
;   * a fixed AppId (never change it: upgrades and the uninstaller find the installation by it);
;   * per-user install by default (no administrator rights: PrivilegesRequired=lowest puts it in
;     %LOCALAPPDATA%\Programs\Tandem); an administrator may choose "all users" in the first dialog;
;   * a Start-menu entry (and an optional desktop icon);
;   * never installs or upgrades while Tandem runs (AppMutex, checked again just before copying);
;   * the uninstaller removes the program folder only. Vaults, backups and settings are NEVER
;     deleted: they live outside {app} (Documents\*.tandem, %LOCALAPPDATA%\Tandem), and this
;     script has no [UninstallDelete] or code that touches them.

#define AppName "Tandem"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\Tandem"
#endif
; Must match resources/app.json "windows_mutex"; Tandem creates both names at start-up.
#define AppMutexName "TandemPracticeRecords.Running"

[Setup]
; The AppId is a fixed GUID (resources/app.json "windows_app_id"); "{{" escapes the brace.
AppId={{58E023AD-8239-4755-97E9-A4370BCE223A}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Tandem
AppCopyright=Tandem
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} Setup

; Per user by default; {autopf} is then %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
UsePreviousAppDir=yes
DisableProgramGroupPage=yes
DefaultGroupName={#AppName}

; The bundle is 64-bit; PySide6 6.12 needs Windows 10 1809 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763

; Refuse to install, upgrade or uninstall while Tandem runs (it holds these named mutexes).
AppMutex={#AppMutexName},Global\{#AppMutexName}
; Never let Restart Manager close Tandem for us: it could be in the middle of a note.
CloseApplications=no
RestartApplications=no

SetupIconFile=..\..\resources\icons\tandem.ico
UninstallDisplayIcon={app}\Tandem.exe
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-windows-x64-setup
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the previous version's libraries completely (a file left from an older
; version could be loaded instead of the new one). Only Tandem's own program folder is touched.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; Tandem.exe (windowed, for the Start menu), tandem-cli.exe (console: scripts, Task Scheduler
; backups) and _internal\ (Python, Qt and the rest), exactly as PyInstaller built them.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\Tandem.exe"; Comment: "Encrypted practice records"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\Tandem.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Tandem.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section on purpose: the uninstaller removes exactly the files it
; installed, and nothing of the user's (vaults, backups, settings, the demo vault).

[Code]
// AppMutex is checked when Setup starts; Tandem could have been started since. Check again
// right before any file is replaced, and stop with a clear message instead of half-upgrading.
function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if CheckForMutexes('{#AppMutexName},Global\{#AppMutexName}') then
    Result := 'Tandem is running. Please lock your vault and quit Tandem, then run Setup again. ' +
              'Nothing has been changed.';
end;
