@echo off
rem daig: the trainer's command line on Windows, from this product's trainer runtime (worker\).
rem   daig.cmd model inspect MODEL.h5 ^| model predict ... ^| model make-mlp ... ^| train-local ...
rem   (the same commands and options as bin/daig; OMP_NUM_THREADS, DAIG_TRAINER_HEAP, DAIG_DATA_DIR, JAVA_HOME)
setlocal
set "HOME_DIR=%~dp0.."
if not defined DAIG_DATA_DIR set "DAIG_DATA_DIR=%HOME_DIR%\data"
if not defined OMP_NUM_THREADS set "OMP_NUM_THREADS=1"
if not defined DAIG_TRAINER_HEAP set "DAIG_TRAINER_HEAP=2g"
set "JAVA_EXE=java"
if defined JAVA_HOME set "JAVA_EXE=%JAVA_HOME%\bin\java.exe"
if not exist "%HOME_DIR%\worker\lib" (
  echo daig: this product has no trainer runtime ^(%HOME_DIR%\worker is missing^) 1>&2
  exit /b 1
)
if not exist "%DAIG_DATA_DIR%\worker" mkdir "%DAIG_DATA_DIR%\worker"
"%JAVA_EXE%" -Xmx%DAIG_TRAINER_HEAP% "-XX:ErrorFile=%DAIG_DATA_DIR%\worker\trainer-crash-%%p.log" -XX:-CreateCoredumpOnCrash "-Dorg.bytedeco.javacpp.cachedir=%DAIG_DATA_DIR%\worker\javacpp" -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "%HOME_DIR%\worker\*;%HOME_DIR%\worker\lib\*" org.daig.trainer.cli.TrainerCli %*
exit /b %ERRORLEVEL%
