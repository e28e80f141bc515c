; 养老金发放核查工作台 — the Windows installer (NSIS 3, 64-bit stub).
; Per user, no administrator rights: installs under %LOCALAPPDATA%\Programs,
; Start-menu and desktop shortcuts, an uninstaller listed in 应用和功能.
; Built by `make installer` (makensis -DROOT=<repository>); the name,
; version and publisher come from FyneApp.toml through bin/windows/version.nsh.
Unicode true
Target amd64-unicode
!include "${ROOT}/bin/windows/version.nsh"
!include "MUI2.nsh"

Name "${APPNAME}"
OutFile "${ROOT}/bin/pensionaudit-setup-${VERSION}.exe"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\pensionaudit"
InstallDirRegKey HKCU "Software\pensionaudit" "InstallDir"
SetCompressor /SOLID lzma
BrandingText "${APPNAME} ${FULLVERSION}"

VIProductVersion "${FULLVERSION}"
VIAddVersionKey /LANG=2052 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APPNAME} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "FileVersion" "${FULLVERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${FULLVERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "见 LICENSE"

!define MUI_ICON "${ROOT}/bin/windows/icon.ico"
!define MUI_UNICON "${ROOT}/bin/windows/icon.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\pensionaudit.exe"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\pensionaudit"

Section "Install"
  SetOutPath "$INSTDIR"
  File "${ROOT}/bin/pensionaudit.exe"
  File "/oname=LICENSE.txt" "${ROOT}/LICENSE"
  File "/oname=README.md" "${ROOT}/README.md"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\pensionaudit.exe" "" "$INSTDIR\pensionaudit.exe" 0
  CreateShortcut "$SMPROGRAMS\${APPNAME}\卸载 ${APPNAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\pensionaudit.exe" "" "$INSTDIR\pensionaudit.exe" 0
  WriteRegStr HKCU "Software\pensionaudit" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${FULLVERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\pensionaudit.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

; Workspaces, their backups and the anchors of the trail are the clerk's
; data, kept elsewhere: the uninstaller removes the program only.
Section "Uninstall"
  Delete "$INSTDIR\pensionaudit.exe"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk"
  Delete "$SMPROGRAMS\${APPNAME}\卸载 ${APPNAME}.lnk"
  RMDir "$SMPROGRAMS\${APPNAME}"
  Delete "$DESKTOP\${APPNAME}.lnk"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "Software\pensionaudit"
SectionEnd
