@echo off
rem daig: DAIG's command line on Windows (cli\): the requestor's commands against a coordinator and
rem the trainer's commands, which run in their own JVM on this product's trainer runtime (worker\).
rem   daig.cmd --help   (the same commands and options as bin/daig; OMP_NUM_THREADS, DAIG_TRAINER_HEAP,
rem   DAIG_DATA_DIR, DAIG_WORKER_DIR, DAIG_CLI_DIR, JAVA_HOME)
setlocal
set "HOME_DIR=%~dp0.."
if not defined DAIG_DATA_DIR set "DAIG_DATA_DIR=%HOME_DIR%\data"
if not defined DAIG_WORKER_DIR set "DAIG_WORKER_DIR=%HOME_DIR%\worker"
if not defined DAIG_CLI_DIR set "DAIG_CLI_DIR=%HOME_DIR%\cli"
set "JAVA_EXE=java"
if defined JAVA_HOME set "JAVA_EXE=%JAVA_HOME%\bin\java.exe"
if not exist "%DAIG_CLI_DIR%" (
  echo daig: no command line at %DAIG_CLI_DIR% 1>&2
  exit /b 1
)
"%JAVA_EXE%" -Xmx512m "-Ddaig.worker.dir=%DAIG_WORKER_DIR%" "-Ddaig.data.dir=%DAIG_DATA_DIR%" -cp "%DAIG_CLI_DIR%\*" org.daig.cli.Daig %*
exit /b %ERRORLEVEL%
