; Windows installer of 城乡居民医保柜台 (NSIS 3), per user: no administrator rights.
;
; Build the program first with the PyInstaller spec (packaging\dist\yibao-counter),
; then, on Windows:
;   makensis /DVERSION=0.1.0 packaging\windows\yibao-counter.nsi
; It writes packaging\dist\yibao-counter-setup-<VERSION>.exe. (On Debian, the
; `nsis` package's makensis compiles it too; see the README for what was tried.)
;
; Installs into %LOCALAPPDATA%\Programs\yibao-counter, adds 开始菜单 › 城乡居民医保柜台
; and a desktop shortcut, and registers an uninstaller under "Apps". The data
; folder, %LOCALAPPDATA%\yibao-counter (the database counter.sqlite3 and its
; copies made before upgrades), is never touched by installing, upgrading or
; uninstalling; the uninstaller says where it is.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef DIST
  !define DIST "..\dist\yibao-counter"
!endif
!ifndef OUTDIR
  !define OUTDIR "..\dist"
!endif
!define APP_ID "yibao-counter"
!define APP_NAME "城乡居民医保柜台"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"

Name "${APP_NAME}"
OutFile "${OUTDIR}\${APP_ID}-setup-${VERSION}.exe"
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

!include "MUI2.nsh"
!define MUI_ICON "..\icons\yibao-counter.ico"
!define MUI_UNICON "..\icons\yibao-counter.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_ID}-gui.exe"
!define MUI_FINISHPAGE_RUN_TEXT "现在启动${APP_NAME}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "${APP_NAME}"

Section "程序" SecMain
  SectionIn RO
  ; An upgrade replaces the program's files; stale ones of the older version go first.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${DIST}\*"
  File "..\icons\yibao-counter.ico"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${APP_ID}-gui.exe" "" "$INSTDIR\yibao-counter.ico"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\卸载${APP_NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_ID}-gui.exe" "" "$INSTDIR\yibao-counter.ico"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\yibao-counter.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$SMPROGRAMS\${APP_NAME}"
  ; Only what the installer put there (never RMDir /r on a folder the user
  ; chose); the data folder $LOCALAPPDATA\${APP_ID} stays.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_ID}.exe"
  Delete "$INSTDIR\${APP_ID}-gui.exe"
  Delete "$INSTDIR\yibao-counter.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

Function un.onUninstSuccess
  MessageBox MB_OK|MB_ICONINFORMATION "${APP_NAME}已卸载。您的数据未删除，仍在：$\r$\n$LOCALAPPDATA\${APP_ID}$\r$\n（数据库 counter.sqlite3 及升级前的备份）。不再需要时请手动删除该文件夹。" /SD IDOK
FunctionEnd
