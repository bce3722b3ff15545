@echo off
rem Starts DAIG on the desktop: the provider with its tray icon; --workbench opens the requestor workbench too.
rem   bin\daig-desktop.cmd [--workbench]
setlocal
set "DAIG_DESKTOP=-tray"
if "%~1"=="--workbench" set "DAIG_DESKTOP=-workbench"
"%~dp0daig-provider.cmd"
