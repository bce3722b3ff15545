@echo off
rem Starts the DAIG coordinator on Windows. Options and folders as in the sh script next to this one:
rem   daig-coordinator.cmd [--console]   DAIG_CONFIG_DIR, DAIG_DATA_DIR, DAIG_LOG_DIR, JAVA_HOME, JAVA_OPTS
setlocal
set "HOME_DIR=%~dp0.."
if not defined DAIG_CONFIG_DIR set "DAIG_CONFIG_DIR=%HOME_DIR%\config"
if not defined DAIG_DATA_DIR set "DAIG_DATA_DIR=%HOME_DIR%\data"
if not defined DAIG_LOG_DIR set "DAIG_LOG_DIR=%HOME_DIR%\logs"
set "JAVA_EXE=java"
if defined JAVA_HOME set "JAVA_EXE=%JAVA_HOME%\bin\java.exe"
set "CONSOLE="
if "%~1"=="--console" set "CONSOLE=-console"
for %%f in ("%HOME_DIR%\plugins\org.eclipse.equinox.launcher_*.jar") do set "LAUNCHER=%%f"
if not defined LAUNCHER (
  echo daig-coordinator: the Equinox launcher is missing under %HOME_DIR%\plugins: the product is incomplete. 1>&2
  exit /b 1
)
if not exist "%DAIG_DATA_DIR%" mkdir "%DAIG_DATA_DIR%"
if not exist "%DAIG_LOG_DIR%" mkdir "%DAIG_LOG_DIR%"
rem The parallel collector, unless JAVA_OPTS names another (why: the sh script next to this one)
set "COLLECTOR=-XX:+UseParallelGC"
echo.%JAVA_OPTS% | findstr /L /C:"-XX:+UseSerialGC" /C:"-XX:+UseParallelGC" /C:"-XX:+UseG1GC" /C:"-XX:+UseZGC" /C:"-XX:+UseShenandoahGC" /C:"-XX:+UseEpsilonGC" >nul && set "COLLECTOR="
"%JAVA_EXE%" -Xmx512m %COLLECTOR% %JAVA_OPTS% -Ddaig.product=daig-coordinator "-Ddaig.data.dir=%DAIG_DATA_DIR%" "-Ddaig.worker.dir=%HOME_DIR%\worker" "-Ddaig.log.dir=%DAIG_LOG_DIR%" "-Dfelix.fileinstall.dir=%DAIG_CONFIG_DIR%" "-Dlogback.configurationFile=%DAIG_CONFIG_DIR%\logback.xml" "-Djava.util.logging.config.file=%DAIG_CONFIG_DIR%\logging.properties" "-Dosgi.sharedConfiguration.area=%HOME_DIR%\configuration" -Dosgi.configuration.cascaded=true -jar "%LAUNCHER%" -install "%HOME_DIR%" -configuration "%DAIG_DATA_DIR%\equinox" %CONSOLE%
